"""German for German users: a complete catalogue; pages, errors and plurals in their language."""

import contextvars
import re
import shlex
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from babel.messages.catalog import Catalog
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_keywords, parse_mapping_cfg
from babel.messages.pofile import read_po
from sqlmodel import select

from app.core.i18n import LOCALE_DIR, gettext, ngettext, pick_locale, set_locale
from app.notifications.models import Notification
from app.spaces.models import Space
from tests.factories import make_comment, make_post, make_space, make_user

ROOT = Path(__file__).resolve().parent.parent
PLACEHOLDER = re.compile(r"%\([a-z_]+\)s")


def _catalogue() -> Catalog:
    with (LOCALE_DIR / "de" / "LC_MESSAGES" / "messages.po").open("rb") as handle:
        return read_po(handle, locale="de")


def _entries() -> list[Any]:
    return [message for message in _catalogue() if message.id]


def _texts(value: str | tuple[str, ...]) -> tuple[str, ...]:
    return value if isinstance(value, tuple) else (value,)


def in_locale(locale: str, call: Callable[[], Any]) -> Any:
    """Run call with a language set, without leaking it into other tests."""

    def run() -> Any:
        set_locale(locale)
        return call()

    return contextvars.copy_context().run(run)


def test_catalogue_declares_two_german_plural_forms():
    catalogue = _catalogue()
    assert catalogue.num_plurals == 2
    assert catalogue.plural_expr == "(n != 1)"


@pytest.mark.parametrize("message", _entries(), ids=lambda m: _texts(m.id)[0][:40])
def test_every_message_has_a_german_text_with_the_same_placeholders(message):
    sources, translations = _texts(message.id), _texts(message.string)
    assert "fuzzy" not in message.flags
    assert len(translations) == (2 if message.pluralizable else 1)
    expected = sorted(PLACEHOLDER.findall(sources[-1]))
    for translation in translations:
        assert translation.strip(), sources
        assert sorted(PLACEHOLDER.findall(translation)) == expected, translation
        # Jinja's new-style gettext always %-formats, so a stray % would break the page.
        assert "%" not in PLACEHOLDER.sub("", translation), translation


def test_catalogue_holds_exactly_the_strings_the_code_marks():
    """Fails when a marked string was added or removed without `make messages`."""
    command = next(
        line for line in (ROOT / "Makefile").read_text().splitlines() if "pybabel extract" in line
    )
    args = shlex.split(command)
    keywords = dict(DEFAULT_KEYWORDS)
    keywords.update(parse_keywords([args[i + 1] for i, arg in enumerate(args) if arg == "-k"]))
    with (ROOT / "babel.cfg").open() as cfg:
        method_map, options_map = parse_mapping_cfg(cfg)
    found = {
        message
        for _path, _line, message, _comments, _context in extract_from_dir(
            ROOT, method_map, options_map, keywords=keywords
        )
    }
    assert found == {message.id for message in _entries()}


def test_gettext_and_ngettext_follow_the_current_language():
    def german() -> tuple[str, ...]:
        return (
            ngettext("%(num)s member", "%(num)s members", 1),
            ngettext("%(num)s member", "%(num)s members", 2),
            ngettext("%(num)s comment", "%(num)s comments", 0),
            gettext("Too long: at most %(max)s characters", max=80),
        )

    assert in_locale("de", german) == (
        "1 Mitglied",
        "2 Mitglieder",
        "0 Kommentare",
        "Zu lang: höchstens 80 Zeichen",
    )
    assert in_locale("en", german) == (
        "1 member",
        "2 members",
        "0 comments",
        "Too long: at most 80 characters",
    )


def test_accept_language_picks_the_best_supported_language():
    assert pick_locale("de-DE,de;q=0.9,en;q=0.8", "en") == "de"
    assert pick_locale("fr-FR,en;q=0.5,de;q=0.7", "en") == "de"
    assert pick_locale("fr", "en") == "en"
    assert pick_locale(None, "de") == "de"


def test_sign_in_page_follows_accept_language(client):
    german = client.get("/login", headers={"Accept-Language": "de-DE,de;q=0.9"})
    assert '<html lang="de">' in german.text
    assert "Anmelden" in german.text
    assert "Sign in" not in german.text

    english = client.get("/login", headers={"Accept-Language": "en-GB"})
    assert "Sign in" in english.text
    assert "Anmelden" not in english.text


def test_german_profile_gets_german_pages_whatever_the_browser_says(session, login):
    reader = make_user(session, locale="de")
    host = make_user(session)
    space = make_space(session, host=host, name="Vertrieb", members=(reader,))
    make_post(session, author=host, space=space, title="Quartalszahlen")
    client = login(reader)

    home = client.get("/", headers={"Accept-Language": "en"})
    assert "Was gibt es Neues?" in home.text
    assert "Benachrichtigungen" in home.text
    assert "Abmelden" in home.text
    assert "What's happening" not in home.text

    page = client.get(f"/spaces/{space.slug}", headers={"Accept-Language": "en"})
    assert "2 Mitglieder" in page.text
    assert "Für alle im Unternehmen sichtbar." in page.text
    assert "Neueste Beiträge" in page.text


def test_english_profile_stays_english_for_a_german_browser(session, login):
    reader = make_user(session, locale="en")
    space = make_space(session, host=reader, name="Sales")
    client = login(reader)

    page = client.get(f"/spaces/{space.slug}", headers={"Accept-Language": "de"})
    assert "1 member" in page.text
    assert "Mitglied" not in page.text


def test_plural_forms_on_a_page(session, login):
    host = make_user(session, locale="de")
    other = make_user(session)
    space = make_space(
        session, host=host, name="Runde", visibility="private", join_policy="request"
    )
    client = login(host)
    assert "Für 1 Mitglied von Runde sichtbar." in client.get(f"/spaces/{space.slug}").text

    client.form(f"/spaces/{space.slug}/members", {"email": other.email, "role": "member"})
    assert "Für die 2 Mitglieder von Runde sichtbar." in client.get(f"/spaces/{space.slug}").text


def test_invalid_input_is_explained_in_german(session, login):
    client = login(make_user(session, locale="de"))
    response = client.form("/spaces", {"name": "", "visibility": "public", "join_policy": "open"})
    assert response.status_code == 422
    assert "Gib dem Space einen Namen" in response.text
    assert "Give the space a name" not in response.text
    assert session.exec(select(Space)).all() == []

    too_long = client.form("/spaces", {"name": "x" * 81, "visibility": "public"})
    assert "Zu lang: höchstens 80 Zeichen" in too_long.text


def test_error_pages_are_german_for_german_users(session, login):
    client = login(make_user(session, locale="de"))
    missing = client.get("/spaces/no-such-space")
    assert missing.status_code == 404
    assert "Space nicht gefunden" in missing.text

    unknown_route = client.get("/no/such/page")
    assert unknown_route.status_code == 404
    assert "Nicht gefunden" in unknown_route.text


def test_notifications_are_worded_in_the_readers_language(session, login):
    german, english = make_user(session, locale="de"), make_user(session, locale="en")
    author = make_user(session, name="Anna Schmidt")
    space = make_space(session, host=author, members=(german, english))
    post = make_post(
        session,
        author=author,
        space=space,
        title="Roadmap",
        body=f"@{german.handle} @{english.handle}",
    )
    make_comment(session, author=german, post=post)

    stored = session.exec(select(Notification.text).where(Notification.user_id == german.id)).one()
    assert stored == "Anna Schmidt mentioned you in “Roadmap”"
    assert "Anna Schmidt hat dich in „Roadmap“ erwähnt" in login(german).get("/notifications").text
    assert "Anna Schmidt mentioned you in “Roadmap”" in login(english).get("/notifications").text
    author_page = login(author).get("/notifications").text
    assert f"{german.display_name} commented on “Roadmap”" in author_page
