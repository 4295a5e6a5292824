"""The protocol pre-fill: title, date, place, attendees (going + checked in), agenda."""

from app.events.protocol import agenda_from, link_protocol, protocol_markdown, protocol_prefill
from app.events.rsvp import check_in, set_rsvp
from tests.events.factories import make_event, make_people, soon
from tests.factories import make_space, make_user


def test_agenda_comes_from_list_items_and_headings_else_lines():
    assert agenda_from("Intro\n- Budget\n* Hiring\n1. Party\n## Q&A\n") == [
        "Budget",
        "Hiring",
        "Party",
        "Q&A",
    ]
    assert agenda_from("Just talk.\n\nAbout things.") == ["Just talk.", "About things."]
    assert agenda_from("") == []


def test_markdown_template_has_every_section():
    text = protocol_markdown(
        title="Protocol: X", when="Tue", place="Room", attendees=["Ann", "Bo"], agenda=["A", "B"]
    )
    assert text.splitlines()[0] == "# Protocol: X"
    assert "**Date:** Tue" in text
    assert "**Place:** Room" in text
    assert "## Attendees\n\n- Ann\n- Bo\n" in text
    assert "## Agenda\n\n1. A\n2. B\n" in text
    assert "## Decisions" in text
    assert "## Action items\n\n- [ ] " in text


def test_prefill_lists_people_going_or_checked_in(session):
    host = make_user(session)
    going, maybe, declined, walk_in = make_people(session, 4)
    space = make_space(session, host=host, members=(going, maybe, declined, walk_in))
    event = make_event(
        session, host=host, space=space, start=soon(0.5), online_url="https://v.example/1"
    )
    set_rsvp(session, user=going, event_id=event.id, status="going")
    set_rsvp(session, user=maybe, event_id=event.id, status="maybe")
    set_rsvp(session, user=declined, event_id=event.id, status="declined")
    check_in(session, user=walk_in, event_id=event.id, code=event.checkin_code)
    session.commit()

    title, markdown = protocol_prefill(session, event=event)

    assert title.startswith("Protocol: Coffee chat (")
    assert f"- {going.display_name}" in markdown
    assert f"- {walk_in.display_name}" in markdown
    assert maybe.display_name not in markdown
    assert declined.display_name not in markdown
    assert "Room 4 (https://v.example/1)" in markdown
    assert "1. Welcome\n2. Roadmap\n3. Questions" in markdown


def test_link_protocol_remembers_it(session):
    host = make_user(session)
    space = make_space(session, host=host)
    event = make_event(session, host=host, space=space)
    link_protocol(session, event=event, protocol_id=42)
    session.commit()
    session.refresh(event)
    assert event.protocol_id == 42


def test_start_protocol_creates_the_live_protocol_once_and_links_it(session, login):
    from sqlmodel import select

    from app.events.models import Event
    from app.protocols.models import Protocol
    from tests.events.factories import make_event
    from tests.factories import make_space, make_user

    host, member, outsider = make_user(session), make_user(session), make_user(session)
    space = make_space(
        session, host=host, members=(member,), visibility="private", join_policy="request"
    )
    event = make_event(session, host=host, space=space, title="Retro")
    client = login(member)
    page = client.get(f"/events/{event.id}/protocol")
    assert "Start the live protocol" in page.text

    first = client.form(f"/events/{event.id}/protocol")
    second = client.form(f"/events/{event.id}/protocol")

    protocols = session.exec(select(Protocol)).all()
    assert len(protocols) == 1
    assert (
        first.headers["location"] == second.headers["location"] == f"/protocols/{protocols[0].id}"
    )
    session.expire_all()
    assert session.get(Event, event.id).protocol_id == protocols[0].id
    assert "Retro" in client.get(f"/protocols/{protocols[0].id}").text
    assert login(outsider).form(f"/events/{event.id}/protocol").status_code == 404
