"""Templates and render(): the full page, or for htmx the block named by the request's target."""

import hashlib
from collections.abc import Callable, MutableMapping
from datetime import date, datetime
from functools import lru_cache, partial
from typing import Any
from zoneinfo import ZoneInfo

from babel.dates import TIMEDELTA_UNITS, format_datetime, format_timedelta
from fastapi import Request
from fastapi.responses import HTMLResponse, Response
from jinja2 import Environment, FileSystemLoader, Undefined, select_autoescape
from jinja2_fragments import render_block
from markupsafe import Markup, escape
from sqlmodel import Session

from app.core.config import PROJECT_ROOT, get_settings
from app.core.dates import STYLES, babel_locale, format_moment
from app.core.db import utcnow
from app.core.errors import DomainError
from app.core.i18n import get_locale, gettext, raw_gettext, raw_ngettext
from app.core.rows import RowView
from app.core.security import csrf_token
from app.core.transactions import commit_before_rendering
from app.images.faces import colour_index, initials
from app.web.fragments import (
    TOKEN_SLOT,
    cached,
    card_key,
    comment_form_key,
    comment_key,
    composer_key,
    fragment,
    fragment_with_token,
    home_aside_key,
    joined,
    person_key,
    reactions_key,
    space_head_key,
    spotlight_key,
    thanks_key,
    upcoming_key,
    voices_key,
)
from app.web.icons import SPRITE, badge_glyph, icon

TEMPLATE_DIR = PROJECT_ROOT / "templates"
STATIC_DIR = PROJECT_ROOT / "static"


class _Undefined(Undefined):
    """Undefined as usual, except a field a row view does not carry is an error: the view
    copies only the columns lists show (app.core.rows), and a template asking for another one would
    otherwise print nothing, silently."""

    __slots__ = ()

    def __init__(self, hint: Any = None, obj: Any = None, name: Any = None, **more: Any) -> None:
        if isinstance(obj, RowView):
            raise AttributeError(f"{type(obj).__name__} has no field {name!r} (see app.core.rows)")
        super().__init__(hint, obj, name, **more)


class _Environment(Environment):
    def make_globals(self, d: MutableMapping[str, Any] | None) -> MutableMapping[str, Any]:
        """A template's globals as one plain dict, where Jinja chains a dict of its own over the
        environment's: every render, include and import copies or compares those names (about
        35), and through a ChainMap that took about 100 Python calls each time. The globals are
        all set when this module loads, before any template does."""
        return {**self.globals, **(d or {})}


env = _Environment(
    undefined=_Undefined,
    loader=FileSystemLoader(TEMPLATE_DIR),
    autoescape=select_autoescape(["html", "xml"]),
    extensions=["jinja2.ext.i18n"],
    trim_blocks=True,
    lstrip_blocks=True,
    # Outside development templates never change under a running process: no stat() per include.
    auto_reload=get_settings().env == "development",
)
env.install_gettext_callables(raw_gettext, raw_ngettext, newstyle=True)  # type: ignore[attr-defined]


@lru_cache
def static_url(path: str) -> str:
    """A cache-busting address for a file under static/ (content hash in the query)."""
    digest = hashlib.sha256((STATIC_DIR / path).read_bytes()).hexdigest()[:10]
    return f"/static/{path}?v={digest}"


def format_day(value: date | None, style: str = "date") -> str:
    """A calendar date (a due date: no time, no zone) in the reader's language."""
    return format_moment(value, style, get_locale()) if value is not None else ""


def format_when(value: datetime | None, fmt: str = "medium", zone: str | None = None) -> str:
    if value is None:
        return ""
    return _when(value, fmt, zone or get_settings().default_timezone, get_locale())


@lru_cache(maxsize=8192)
def _when(value: datetime, fmt: str, zone: str, locale: str) -> str:
    # A page shows the same few dozen times to every reader in a language and zone; Babel
    # takes about 60 microseconds for each.
    local = value.astimezone(ZoneInfo(zone))
    if fmt in STYLES:
        return format_moment(local, fmt, locale)
    # Babel's own widths ("medium", "short") and machine formats ("yyyyMMdd") for attributes.
    return format_datetime(local, format=fmt, locale=babel_locale(locale))


# Babel's relative time depends only on the direction, the unit it picks and the rounded count
# in that unit (babel.dates.format_timedelta): the first text made for such a key holds for all
# later times with the same key.
_AGO_THRESHOLD = 0.85
_ago_texts: dict[tuple[str, bool, str, int], str] = {}


def _ago_key(seconds: float) -> tuple[bool, str, int]:
    for unit, per_unit in TIMEDELTA_UNITS:
        value = abs(seconds) / per_unit
        if value >= _AGO_THRESHOLD or unit == "second":
            if unit == "second" and value > 0:
                value = max(1, value)
            return seconds >= 0, unit, round(value)
    raise AssertionError("the last unit always matches")  # pragma: no cover


def format_ago(value: datetime | None, now: datetime | None = None) -> str:
    if value is None:
        return ""
    delta = value - (now or utcnow())
    locale = get_locale()
    key = (locale, *_ago_key(delta.total_seconds()))
    text = _ago_texts.get(key)
    if text is None:
        if len(_ago_texts) > 4096:
            _ago_texts.clear()
        text = format_timedelta(delta, add_direction=True, threshold=_AGO_THRESHOLD, locale=locale)
        _ago_texts[key] = text
    return text


@lru_cache
def _module_once(name: str) -> Any:
    return env.get_template(name).module


def template_module(name: str) -> Any:
    """A template's macros for calling from Python (loaded once, except in development, where
    templates reload when they change)."""
    return env.get_template(name).module if env.auto_reload else _module_once(name)


def _card_parts() -> Any:
    return template_module("posts/_card.html")


def card_html(card: Any, zone: str, token: str) -> Markup:
    """A post card put together from its two stored parts (see templates/posts/_card.html):
    a handful of Python calls per card where rendering the macros took a few hundred."""
    return joined([_card_text(card, zone, str(escape(token)))])


def _card_text(card: Any, zone: str, token: str) -> str:
    # Plain str operations on the stored Markup: each Markup operation escapes its operands
    # and copies its text into a new Markup, several times over for every card of a page.
    parts = _card_parts()
    ago = format_ago(card.post.published_at)
    head = fragment(card_key(card, zone, ago), lambda: parts.head(card, zone))
    foot_key = (*reactions_key(card), card.post.comment_count)
    foot = fragment(foot_key, lambda: parts.foot(card))
    return str.__add__(head, str.replace(foot, TOKEN_SLOT, token))


def stream_html(entries: Any, zone: str, token: str) -> Markup:
    """A stream's entries (post cards and kudos lines) in one call from the template."""
    token = str(escape(token))
    shown = [
        _thanks_html(entry, zone) if hasattr(entry, "kudos") else _card_text(entry, zone, token)
        for entry in entries
    ]
    return joined(shown)


def _thanks_html(entry: Any, zone: str) -> Markup:
    macro = template_module("recognition/_stream_thanks.html").thanks
    key = thanks_key(entry, zone, format_ago(entry.kudos.created_at))
    return fragment(key, partial(macro, entry, zone))


def reaction_bar(card: Any, token: str) -> Markup:
    """The reaction form of one post with the reader's CSRF token."""
    return fragment_with_token(reactions_key(card), token, lambda: _card_parts().reactions(card))


# An open page's live watcher shows an edited comment in place (htmx out-of-band).
_ITEM, _ITEM_IN_PLACE = Markup("<li "), Markup('<li hx-swap-oob="true" ')


def comments_html(
    comments: Any, marks_by_author: Any, zone: str, viewer: Any, token: str, oob: bool = False
) -> Markup:
    """A list of (comment, author) rendered from stored comments (templates/posts/_comment.html).

    With `oob`, each replaces the comment of its id where the page shows it. A post page shows
    fifty comments by a few people: the time, the language and each author's part of the key
    are worked out once per list, not per comment."""
    macro = template_module("posts/_comment.html").comment
    signed_in = viewer is not None
    viewer_id = viewer.id if signed_in else None
    marks_by_author = marks_by_author or {}
    locale, now = get_locale(), utcnow()
    people: dict[Any, tuple[Any, ...]] = {}
    shown = []
    for comment, author in comments:
        author_id = author.id if author else None
        marks = marks_by_author.get(author_id)
        person = people.get(author_id)
        if person is None:
            person = people[author_id] = person_key(author, marks)
        mine = signed_in and comment.author_id == viewer_id
        ago = format_ago(comment.created_at, now)
        key = (*comment_key(comment, person, zone, ago, locale), mine, signed_in)
        render = partial(macro, comment, author, marks, zone, mine, signed_in)
        html = fragment_with_token(key, token, render) if mine else fragment(key, render)
        shown.append(html.replace(_ITEM, _ITEM_IN_PLACE, 1) if oob else html)
    # Every part is escaped markup already: Markup's own join would escape and copy each again
    # (two fifths of this function's time).
    return Markup("".join(shown))  # noqa: S704


def _shared_macro(name: str) -> Callable[..., Markup]:
    """A macro of components/macros.html callable from any template without importing it: an
    import costs every render Jinja's comparison of all global names (about 100 calls), with
    context the whole module's render besides."""

    def call(*args: Any, **kwargs: Any) -> Markup:
        return getattr(template_module("components/macros.html"), name)(*args, **kwargs)

    return call


env.globals.update(
    static_url=static_url,
    icon=lambda name, label=None: icon(name, label, sprite_url=static_url(SPRITE)),
    badge_glyph=lambda emoji: badge_glyph(emoji, sprite_url=static_url(SPRITE)),
    site_name=lambda: get_settings().site_name,
    cached=cached,
    comments_html=comments_html,
    voices_key=partial(voices_key, ago=format_ago),
    home_aside_key=home_aside_key,
    composer_key=composer_key,
    upcoming_key=upcoming_key,
    comment_form_key=comment_form_key,
    space_head_key=space_head_key,
    cached_form=fragment_with_token,
    spotlight_key=spotlight_key,
    card_html=card_html,
    stream_html=stream_html,
    reaction_bar=reaction_bar,
    format_when=format_when,
    format_day=format_day,
    token_slot=TOKEN_SLOT,
    face_initials=initials,
    face_colour=colour_index,
    person=_shared_macro("person"),
    face_of=_shared_macro("face_of"),
)
env.filters.update(ago=format_ago)
# `{% if post.published_at is future %}`: scheduled, not yet published.
env.tests.update(future=lambda value: value is not None and value > utcnow())


def is_htmx(request: Request) -> bool:
    return request.headers.get("hx-request") == "true"


def fragment_name(request: Request) -> str | None:
    """The block an htmx request asks for: its target id with dashes as underscores.

    Boosted navigation and history restores need the whole page, so they get it.
    """
    if not is_htmx(request) or request.headers.get("hx-boosted") == "true":
        return None
    if request.headers.get("hx-history-restore-request") == "true":
        return None
    target = request.headers.get("hx-target")
    return target.replace("-", "_") if target else None


NAV_SECTIONS = (
    "/spaces", "/people", "/showcase", "/action-items", "/notifications", "/admin/people",
    "/moderation", "/admin/health", "/admin/uploads",
)  # fmt: skip


@lru_cache(maxsize=1024)
def nav_section(path: str) -> str | None:
    """The main navigation's entry for a page: marked as the current one."""
    if path == "/":
        return "/"
    return next((section for section in NAV_SECTIONS if path.startswith(section)), None)


def render(
    request: Request,
    template: str,
    context: dict[str, Any] | None = None,
    *,
    status_code: int = 200,
    block: str | None = None,
    headers: dict[str, str] | None = None,
) -> HTMLResponse:
    """Render a page, or one named block of it when htmx asked for that part only."""
    commit_before_rendering()
    user = request.scope.get("state", {}).get("user")
    zone = user.time_zone if user is not None else get_settings().default_timezone
    ctx: dict[str, Any] = {
        "request": request,
        "current_user": user,
        "csrf_token": csrf_token(request),
        "locale": get_locale(),
        "zone": zone,
        "nav_section": nav_section(request.url.path),
        "when": lambda value, fmt="medium": format_when(value, fmt, zone),
        **(context or {}),
    }
    compiled = env.get_template(template)
    wanted = block or fragment_name(request)
    if wanted and wanted in compiled.blocks:
        html = render_block(env, template, wanted, ctx)
    else:
        html = compiled.render(ctx)
    response = HTMLResponse(html, status_code=status_code, headers=headers)
    response.headers.append("vary", "HX-Request")
    return response


def form_error(
    request: Request,
    session: Session,
    template: str,
    error: DomainError,
    context: Callable[[], dict[str, Any]] | dict[str, Any],
    *,
    field: str | None = None,
    block: str | None = None,
    headers: dict[str, str] | None = None,
    rollback: bool = True,
) -> HTMLResponse:
    """Undo what the failed action wrote, then show the form again with its message (422).

    A callable context is built after the rollback, so the page shows what is stored, not the
    half-done change. The message goes under `field` (default: the error's own field) unless
    the context brings its own (non-empty) `errors`."""
    if rollback:
        session.rollback()
    values = context() if callable(context) else dict(context)
    if not values.get("errors"):
        values["errors"] = {field or error.field: error.text()}
    return render(request, template, values, status_code=422, block=block, headers=headers)


def block_after(
    request: Request,
    session: Session,
    template: str,
    context: Callable[[str | None], dict[str, Any]],
    *,
    block: str,
    refused: DomainError | None = None,
    headers: dict[str, str] | None = None,
) -> HTMLResponse:
    """An htmx action's answer (an RSVP, a vote): its block built afresh from what is stored.

    After a refusal the block carries the message (`context` gets it, translated) and answers 422
    once what the action wrote is undone (form_error); a plain form's refusal is raised again, to
    be answered like any other. Otherwise the writes are flushed first, so the block shows them."""
    if refused is not None:
        if not is_htmx(request):
            raise refused
        message = gettext(refused.message)
        return form_error(
            request,
            session,
            template,
            refused,
            lambda: context(message),
            block=block,
            headers=headers,
        )
    session.flush()
    return render(request, template, context(None), block=block, headers=headers)


# Pictures are served with no power over the page that shows them: were a crafted file ever
# opened on its own, it runs nothing and loads nothing.
IMAGE_CONTENT_SECURITY_POLICY = "default-src 'none'; style-src 'unsafe-inline'; sandbox"


def image_response(
    request: Request, *, data: bytes, content_type: str, etag: str, max_age: int = 3600
) -> Response:
    """An image with its ETag: a browser that holds this version gets 304 and no bytes.

    Private to the signed-in browser; URLs name the version, so a new picture shows at once,
    and max_age bounds how long a browser keeps one it was allowed to see."""
    tag = f'"{etag}"'
    headers = {
        "ETag": tag,
        "Cache-Control": f"private, max-age={max_age}",
        "Content-Security-Policy": IMAGE_CONTENT_SECURITY_POLICY,
        "Content-Disposition": "inline",
    }
    asked = request.headers.get("if-none-match", "")
    if tag in (part.strip() for part in asked.split(",")):
        return Response(status_code=304, headers=headers)
    return Response(data, media_type=content_type, headers=headers)
