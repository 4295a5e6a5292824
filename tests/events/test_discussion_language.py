"""The generated meetup post and recap speak the language they are written in."""

from app.core.i18n import in_locale
from app.events.discussion import header_markdown, recap_markdown
from app.events.occurrences import occurrence_on
from tests.events.factories import local_day, make_event
from tests.factories import make_space, make_user


def test_meetup_header_and_recap_are_german_in_german(session):
    host = make_user(session)
    event = make_event(
        session, host=host, space=make_space(session, host=host), title="Sommerfest",
        location="Dachterrasse", online_url="https://meet.example.com/x",
    )  # fmt: skip
    occ = occurrence_on(session, event=event, day=local_day(event))

    with in_locale("de"):
        header = header_markdown(event, occ, going=3, waiting=0)
        title, recap = recap_markdown(event, occ, attended=3)

    assert "**Zusagen:**" in header
    assert "**Wo:** Dachterrasse" in header
    assert title == "Rückblick: Sommerfest"
    for line in ("Worüber wir gesprochen haben", "Was wir beschlossen haben", "Wie es weitergeht"):
        assert f"- {line}: …" in recap
    assert "[Veranstaltungsseite, Diskussion und Protokoll](" in recap
