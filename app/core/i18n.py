"""German and English strings through one gettext mechanism (Babel catalogues under app/locale).

Catalogues are read from the .po sources at start-up, so no compiled files live in the repository.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import lru_cache
from io import BytesIO
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import NullTranslations, Translations
from jinja2 import Environment, pass_eval_context
from jinja2.nodes import EvalContext
from markupsafe import Markup

LOCALES = ("en", "de")
LOCALE_DIR = Path(__file__).resolve().parent.parent / "locale"
_current_locale: ContextVar[str] = ContextVar("agora_locale", default="en")


@lru_cache
def translations(locale: str) -> NullTranslations:
    po_path = LOCALE_DIR / locale / "LC_MESSAGES" / "messages.po"
    if not po_path.exists():
        return NullTranslations()
    with po_path.open("rb") as handle:
        catalog = read_po(handle, locale=locale)
    buffer = BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return Translations(fp=buffer)


def set_locale(locale: str) -> None:
    _current_locale.set(locale if locale in LOCALES else "en")


def get_locale() -> str:
    return _current_locale.get()


@contextmanager
def in_locale(locale: str) -> Iterator[None]:
    """Word what is inside in `locale` (an email for its recipient), then the caller's again."""
    token = _current_locale.set(locale if locale in LOCALES else "en")
    try:
        yield
    finally:
        _current_locale.reset(token)


def gettext(message: str, **variables: object) -> str:
    text = translations(get_locale()).gettext(message)
    return text % variables if variables else text


def ngettext(singular: str, plural: str, n: int, **variables: object) -> str:
    text = translations(get_locale()).ngettext(singular, plural, n)
    variables.setdefault("num", n)
    return text % variables


_ = gettext


def N_(message: str) -> str:
    """Mark a string for extraction; it is translated later, where it is shown."""
    return message


def raw_gettext(message: str) -> str:
    """Lookup only; Jinja's new-style gettext does the %-formatting itself."""
    return translations(get_locale()).gettext(message)


def raw_ngettext(singular: str, plural: str, n: int) -> str:
    return translations(get_locale()).ngettext(singular, plural, n)


@pass_eval_context
def _template_gettext(eval_ctx: EvalContext, message: str, **variables: object) -> str:
    text = raw_gettext(message)
    # Jinja's new-style gettext: always a format string (so "%%" is a percent sign), escaped
    # where the template escapes.
    return (Markup(text) if eval_ctx.autoescape else text) % variables  # noqa: S704  (catalogue text)


@pass_eval_context
def _template_ngettext(
    eval_ctx: EvalContext, singular: str, plural: str, n: int, **variables: object
) -> str:
    text = raw_ngettext(singular, plural, n)
    variables.setdefault("num", n)
    return (Markup(text) if eval_ctx.autoescape else text) % variables  # noqa: S704  (as above)


def install_gettext(env: Environment) -> None:
    """`_`, `gettext`, `ngettext` and `{% trans %}` in templates, worded in the current language.

    They behave as Jinja's new-style gettext, but take the evaluation context where Jinja's take
    the whole template context: a function that takes the context, called inside a block or a
    loop, gets a copy of that context made for the call (every name the template sees), and the
    home page made ~150 such calls.
    """
    env.install_gettext_callables(raw_gettext, raw_ngettext, newstyle=True)  # type: ignore[attr-defined]
    env.globals.update(_=_template_gettext, gettext=_template_gettext, ngettext=_template_ngettext)


def pick_locale(accept_language: str | None, default: str) -> str:
    """The best supported language from an Accept-Language header."""
    if not accept_language:
        return default
    weighted: list[tuple[float, str]] = []
    for part in accept_language.split(","):
        lang, _sep, params = part.strip().partition(";")
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                quality = 0.0
        weighted.append((quality, lang.split("-")[0].lower()))
    for _quality, lang in sorted(weighted, key=lambda item: -item[0]):
        if lang in LOCALES:
            return lang
    return default
