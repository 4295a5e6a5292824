"""Badges for taking part beyond posts: a first protocol edit and a first meetup attended."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import update
from sqlmodel import Session, col

from app.core.db import get_engine
from app.events.models import Event, EventOccurrence, Rsvp
from app.events.rsvp import check_in, set_rsvp
from app.protocols import editing, service
from app.protocols.queries import action_items_of
from app.protocols.rooms import registry
from app.recognition.jobs import grant_badges
from app.recognition.service import badges_for
from app.spaces.access import access_for
from tests.events.factories import make_event, soon
from tests.factories import make_space, make_user
from tests.recognition.helpers import forget_awards, holders

EDIT, MEETUP = "first-protocol-edit", "first-meetup"


@pytest.fixture(autouse=True)
def _fresh_rooms():
    registry.clear()
    yield
    registry.clear()


def _protocol(session, host, space, title="Weekly"):
    protocol = service.create_protocol(
        session, access=access_for(session, host, space), title=title, text="# Minutes\n"
    )
    session.commit()
    return protocol


def _save(user, protocol_id, text):
    """A form save in its own request, as the edit page does it."""
    with Session(get_engine(), expire_on_commit=False) as own:
        base = editing.current_version(own, protocol_id=protocol_id).number
        editing.save_text(own, user=user, protocol_id=protocol_id, base_version=base, text=text)
        own.commit()


# --- first protocol edit ---------------------------------------------------------------------


def test_a_form_save_earns_the_protocol_badge_at_once(session):
    host, editor = make_user(session), make_user(session)
    space = make_space(session, host=host, members=(editor,))
    protocol = _protocol(session, host, space)
    # Creating a protocol from a template is not yet editing it.
    assert holders(session, EDIT) == []

    _save(editor, protocol.id, "# Minutes\n\nWe agreed.\n")

    assert holders(session, EDIT) == [editor.id]


def test_live_typing_earns_it_when_the_text_is_stored(session):
    host, typist = make_user(session), make_user(session)
    space = make_space(session, host=host, members=(typist,))
    protocol = _protocol(session, host, space)
    room = registry.get(protocol.id)
    # What the live sync does for a keystroke batch: stored with the typist's id, no session.
    room.change_text(lambda current: [(len(current), 0, "- a note\n")], typist.id)
    assert holders(session, EDIT) == []

    # Housekeeping stores the derived text a moment later: that is when the badge comes.
    editing.save_derived_text(protocol.id, room.text(), room.seq)

    assert holders(session, EDIT) == [typist.id]


def test_ticking_an_action_item_and_restoring_count_as_edits(session):
    host, assignee = make_user(session), make_user(session)
    space = make_space(session, host=host, members=(assignee,))
    protocol = service.create_protocol(
        session,
        access=access_for(session, host, space),
        title="Actions",
        text=f"# A\n\n- [ ] @{assignee.handle} Send the notes\n",
    )
    session.commit()
    (item, _handle), *_ = action_items_of(session, protocol_id=protocol.id)
    editing.set_action_item_done(session, user=assignee, item_id=item.id, done=True)
    session.commit()
    assert holders(session, EDIT) == [assignee.id]
    editing.restore(session, user=host, protocol_id=protocol.id, number=1)
    session.commit()

    assert holders(session, EDIT) == sorted([host.id, assignee.id])


def test_the_job_grants_protocol_edits_once_and_names_no_private_protocol(session, login):
    host, outsider = make_user(session), make_user(session)
    secret = make_space(session, host=host, visibility="secret", join_policy="invite")
    protocol = _protocol(session, host, secret, title="Layoff plan")
    _save(host, protocol.id, "# Minutes\n\nConfidential.\n")
    forget_awards(session)

    assert grant_badges(session) >= 1
    session.commit()
    assert grant_badges(session) == 0
    assert holders(session, EDIT) == [host.id]

    shown = [s for s in badges_for(session, viewer=outsider, person=host) if s.badge.slug == EDIT]
    assert [s.space for s in shown] == [None]
    assert "Layoff" not in shown[0].award.reason
    profile = login(outsider).get(f"/people/{host.id}").text
    assert "Layoff" not in profile
    assert "Minute taker" in profile


# --- first meetup attended -------------------------------------------------------------------


def _move_event(session, event, start: datetime) -> None:
    session.exec(  # type: ignore[call-overload]
        update(Event)
        .where(col(Event.id) == event.id)
        .values(starts_at=start, ends_at=start + timedelta(hours=2))
    )
    session.commit()


def test_going_counts_once_the_meetup_has_begun(session):
    host, going, maybe, declined = (make_user(session) for _ in range(4))
    space = make_space(session, host=host, members=(going, maybe, declined))
    event = make_event(session, host=host, space=space, start=soon(24))
    for person, answer in ((going, "going"), (maybe, "maybe"), (declined, "declined")):
        set_rsvp(session, user=person, event_id=event.id, status=answer)
    session.commit()

    grant_badges(session)
    assert holders(session, MEETUP) == []

    _move_event(session, event, datetime.now(UTC) - timedelta(days=1))
    grant_badges(session)
    session.commit()

    assert holders(session, MEETUP) == [going.id]


def test_checking_in_earns_it_at_once_even_without_an_rsvp(session):
    host, walk_in = make_user(session), make_user(session)
    space = make_space(session, host=host, members=(walk_in,))
    event = make_event(session, host=host, space=space, start=soon(1))

    check_in(session, user=walk_in, event_id=event.id, code=event.checkin_code)

    assert holders(session, MEETUP) == [walk_in.id]


def test_joining_a_meetup_under_way_earns_it_at_once(session):
    host, late = make_user(session), make_user(session)
    space = make_space(session, host=host, members=(late,))
    event = make_event(session, host=host, space=space, start=soon(1))
    _move_event(session, event, datetime.now(UTC) - timedelta(minutes=30))

    set_rsvp(session, user=late, event_id=event.id, status="going")

    assert holders(session, MEETUP) == [late.id]


def test_cancelled_meetups_and_occurrences_do_not_count(session):
    host, a, b = make_user(session), make_user(session), make_user(session)
    space = make_space(session, host=host, members=(a, b))
    one_off = make_event(session, host=host, space=space, start=soon(24))
    start = soon(24)
    series = make_event(session, host=host, space=space, start=start, rrule="FREQ=WEEKLY")
    set_rsvp(session, user=a, event_id=one_off.id, status="going")
    set_rsvp(session, user=b, event_id=series.id, status="going")
    session.commit()
    _move_event(session, one_off, datetime.now(UTC) - timedelta(days=1))
    session.exec(  # type: ignore[call-overload]
        update(Event).where(col(Event.id) == one_off.id).values(cancelled_at=datetime.now(UTC))
    )
    day = start.astimezone(ZoneInfo("Europe/Berlin")).date()
    session.add(
        EventOccurrence(event_id=series.id, occurrence_date=day, cancelled_at=datetime.now(UTC))
    )
    session.commit()
    # The series' occurrence lies days back now (its date is what names it).
    _move_event(session, series, start - timedelta(days=9))
    session.exec(  # type: ignore[call-overload]
        update(Rsvp)
        .where(col(Rsvp.event_id) == series.id)
        .values(occurrence_date=day - timedelta(days=7))
    )
    session.commit()

    grant_badges(session)
    assert holders(session, MEETUP) == [b.id]  # the series' earlier occurrence was not cancelled

    session.exec(  # type: ignore[call-overload]
        update(EventOccurrence)
        .where(col(EventOccurrence.event_id) == series.id)
        .values(occurrence_date=day - timedelta(days=7))
    )
    forget_awards(session)
    grant_badges(session)
    assert holders(session, MEETUP) == []


def test_a_series_occurrence_counts_once_its_date_is_safely_past(session):
    host, person = make_user(session), make_user(session)
    space = make_space(session, host=host, members=(person,))
    start = soon(24)
    series = make_event(session, host=host, space=space, start=start, rrule="FREQ=WEEKLY")
    set_rsvp(session, user=person, event_id=series.id, status="going")
    session.commit()
    today = datetime.now(UTC).date()
    for days_back, expected in ((0, []), (3, [person.id])):
        session.exec(  # type: ignore[call-overload]
            update(Rsvp)
            .where(col(Rsvp.event_id) == series.id)
            .values(occurrence_date=today - timedelta(days=days_back))
        )
        session.commit()
        grant_badges(session)
        assert holders(session, MEETUP) == expected
