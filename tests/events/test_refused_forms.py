"""Refused event forms (one date of a series, an RSVP): 422, the message where the form shows
it, what was typed kept, nothing stored."""

from datetime import timedelta

from sqlmodel import select

from app.events.models import EventOccurrence, Rsvp
from tests.events.factories import local, make_event, soon
from tests.factories import make_space, make_user


def test_a_refused_date_change_keeps_what_was_typed_and_stores_no_override(session, login):
    host = make_user(session)
    space = make_space(session, host=host, visibility="public")
    start = soon(24)
    event = make_event(session, host=host, space=space, start=start, rrule="FREQ=WEEKLY")
    day = local(start)[:10]
    too_far = local(start + timedelta(days=30))
    client = login(host)

    page = client.form(
        f"/events/{event.id}/occurrences/{day}/edit",
        {"starts_at": too_far, "location": "Typed hall", "cancelled": "true"},
    )

    assert page.status_code == 422
    error = page.text.split('id="starts_at-error"', 1)[1].split("</p>", 1)[0]
    assert "at most three days" in error
    assert f'value="{too_far}"' in page.text
    assert 'value="Typed hall"' in page.text
    assert 'name="cancelled" value="true" checked' in page.text
    assert session.exec(select(EventOccurrence)).all() == []


def test_a_refused_rsvp_answers_its_block_with_the_message_and_stores_nothing(session, login):
    host, member = make_user(session), make_user(session)
    space = make_space(session, host=host, members=(member,), visibility="public")
    event = make_event(session, host=host, space=space, start=soon(24))
    client = login(member)

    answer = client.htmx(
        "POST", f"/events/{event.id}/rsvp", target="rsvp", data={"status": "perhaps"}
    )

    assert answer.status_code == 422
    assert "<html" not in answer.text
    assert '<p class="form-error" role="alert">Answer going, maybe or declined</p>' in answer.text
    assert answer.headers["HX-Trigger"] == "rsvp-changed"
    assert session.exec(select(Rsvp).where(Rsvp.user_id == member.id)).all() == []
    page = client.form(f"/events/{event.id}/rsvp", {"status": "perhaps"})
    assert page.status_code == 422
    assert session.exec(select(Rsvp).where(Rsvp.user_id == member.id)).all() == []
