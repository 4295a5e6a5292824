"""Creating, editing and cancelling events; the discussion post; validation."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import func, select

from app.core.errors import Forbidden, Invalid, NotFound
from app.events.access import load_event
from app.events.models import Event, EventOccurrence
from app.events.schemas import EventInput
from app.events.service import (
    cancel_event,
    create_event,
    set_event_creators,
    update_event,
    update_occurrence,
)
from app.notifications.models import Notification
from app.posts.models import Post
from app.spaces.access import access_for
from tests.events.factories import event_input, make_event, soon
from tests.factories import make_space, make_user


def test_create_event_stores_utc_and_writes_the_discussion_post(session):
    host = make_user(session)
    space = make_space(session, host=host)

    event = make_event(
        session,
        host=host,
        space=space,
        starts_at="2030-07-02T18:00",
        ends_at="2030-07-02T20:00",
        timezone="Europe/Berlin",
        capacity="12",
    )

    assert event.starts_at == datetime(2030, 7, 2, 16, 0, tzinfo=UTC)
    assert event.ends_at == datetime(2030, 7, 2, 18, 0, tzinfo=UTC)
    post = session.get(Post, event.discussion_post_id)
    assert post.title.startswith("Meetup: Coffee chat — ")
    assert "2 Jul 2030" in post.title
    assert "Room 4" in post.title
    assert f"/events/{event.id}" in post.body
    assert "0 going" in post.body
    assert "12 of 12 places left" in post.body
    assert "Roadmap" in post.body_html


def test_offset_times_are_taken_as_exact_moments(session):
    host = make_user(session)
    space = make_space(session, host=host)
    event = make_event(
        session,
        host=host,
        space=space,
        starts_at="2030-07-02T18:00:00+02:00",
        ends_at="2030-07-02T17:00:00Z",
        timezone="America/New_York",
    )
    assert event.starts_at == datetime(2030, 7, 2, 16, 0, tzinfo=UTC)
    assert event.ends_at == datetime(2030, 7, 2, 17, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"ends_at": "2030-07-02T17:00"}, "ends_at", "The end must be after the start"),
        ({"capacity": "-1"}, "capacity", "Capacity cannot be negative"),
        ({"capacity": "lots"}, "capacity", "Capacity must be a whole number"),
        ({"timezone": "Mars/Olympus"}, "timezone", "Unknown time zone"),
        ({"rrule": "FREQ=DAILY"}, "rrule", "Only weekly and monthly"),
        ({"rrule": "FREQ=WEEKLY;BYDAY=XX"}, "rrule", "BYDAY must list weekdays"),
        ({"rrule": "garbage"}, "rrule", "malformed"),
        ({"rrule": "FREQ=WEEKLY;BYSETPOS=1"}, "rrule", "Unsupported repeat rule part"),
        ({"rrule": "FREQ=WEEKLY;BYDAY=WE"}, "rrule", "The start must be the first occurrence"),
        ({"rrule": "FREQ=MONTHLY;BYDAY=5TU"}, "rrule", "1, 2, 3, 4 or -1"),
        ({"rrule": "FREQ=WEEKLY;COUNT=2;UNTIL=20301231"}, "rrule", "either COUNT or UNTIL"),
        ({"title": "  "}, "title", "The title cannot be empty"),
        ({"online_url": "javascript:alert(1)"}, "online_url", "must start with https://"),
        ({"starts_at": "next tuesday"}, "starts_at", "YYYY-MM-DD HH:MM"),
        # 2030-03-31 02:30 does not exist in Berlin: the clocks jump from 02:00 to 03:00.
        (
            {"starts_at": "2030-03-31T02:30", "ends_at": "2030-03-31T04:00"},
            "starts_at",
            "does not exist",
        ),
    ],
)
def test_bad_input_is_refused_and_nothing_is_saved(session, fields, field, message):
    host = make_user(session)
    space = make_space(session, host=host)
    values = {"starts_at": "2030-07-02T18:00", "ends_at": "2030-07-02T20:00", **fields}

    with pytest.raises(Invalid) as caught:
        create_event(session, access=access_for(session, host, space), data=event_input(**values))
    session.rollback()

    assert caught.value.field == field
    assert message in caught.value.params["errors"][field]
    assert session.exec(select(func.count()).select_from(Event)).one() == 0
    assert session.exec(select(func.count()).select_from(Post)).one() == 0


def test_every_bad_field_is_reported_at_once(session):
    host = make_user(session)
    space = make_space(session, host=host)
    data = EventInput(
        title="",
        starts_at="2030-07-02T18:00",
        ends_at="2030-07-02T17:00",
        timezone="Europe/Berlin",
        capacity="-3",
    )
    with pytest.raises(Invalid) as caught:
        create_event(session, access=access_for(session, host, space), data=data)
    assert set(caught.value.params["errors"]) == {"title", "ends_at", "capacity"}


def test_non_members_cannot_create_and_hosts_can_restrict_creation(session):
    host, member, outsider = make_user(session), make_user(session), make_user(session)
    space = make_space(session, host=host, members=(member,))

    with pytest.raises(Forbidden):
        create_event(session, access=access_for(session, outsider, space), data=event_input())
    make_event(session, host=member, space=space)

    set_event_creators(session, access=access_for(session, host, space), creators="hosts")
    session.commit()
    with pytest.raises(Forbidden):
        create_event(session, access=access_for(session, member, space), data=event_input())
    session.rollback()
    with pytest.raises(Forbidden):
        set_event_creators(session, access=access_for(session, member, space), creators="members")


def test_private_event_is_invisible_to_outsiders(session):
    host, outsider = make_user(session), make_user(session)
    space = make_space(session, host=host, visibility="private")
    event = make_event(session, host=host, space=space)
    with pytest.raises(NotFound):
        load_event(session, user=outsider, event_id=event.id)


def test_update_bumps_sequence_updates_post_and_tells_people(session):
    from app.events.rsvp import set_rsvp

    host, guest = make_user(session), make_user(session)
    space = make_space(session, host=host, members=(guest,))
    event = make_event(session, host=host, space=space)
    set_rsvp(session, user=guest, event_id=event.id, status="going")
    session.commit()
    start = soon(48)

    update_event(
        session,
        user=host,
        event_id=event.id,
        data=event_input(start=start, title="Coffee & cake", location="Roof"),
    )
    session.commit()

    session.refresh(event)
    assert event.sequence == 1
    assert event.title == "Coffee & cake"
    post = session.get(Post, event.discussion_post_id)
    session.refresh(post)
    assert "Roof" in post.title
    assert "1 going" in post.body
    assert post.edited_at is None
    kinds = session.exec(select(Notification.kind).where(Notification.user_id == guest.id)).all()
    assert kinds == ["event_changed"]


def test_only_the_organiser_or_hosts_edit(session):
    host, member = make_user(session), make_user(session)
    space = make_space(session, host=host, members=(member,))
    event = make_event(session, host=host, space=space)
    with pytest.raises(Forbidden):
        update_event(session, user=member, event_id=event.id, data=event_input())
    with pytest.raises(Forbidden):
        cancel_event(session, user=member, event_id=event.id)


def test_cancel_notifies_people_who_answered_and_marks_the_post(session):
    from app.events.rsvp import set_rsvp

    host, guest, maybe = make_user(session), make_user(session), make_user(session)
    space = make_space(session, host=host, members=(guest, maybe))
    event = make_event(session, host=host, space=space)
    set_rsvp(session, user=guest, event_id=event.id, status="going")
    set_rsvp(session, user=maybe, event_id=event.id, status="maybe")
    session.commit()

    cancel_event(session, user=host, event_id=event.id)
    cancel_event(session, user=host, event_id=event.id)
    session.commit()

    session.refresh(event)
    assert event.cancelled_at is not None
    assert event.sequence == 1
    notified = session.exec(
        select(Notification.user_id).where(Notification.kind == "event_cancelled")
    ).all()
    assert sorted(notified) == sorted([guest.id, maybe.id])
    post = session.get(Post, event.discussion_post_id)
    session.refresh(post)
    assert post.title.startswith("Cancelled: Meetup: ")


def test_one_occurrence_of_a_series_moves_or_is_cancelled(session):
    host = make_user(session)
    space = make_space(session, host=host)
    event = make_event(
        session,
        host=host,
        space=space,
        starts_at="2030-03-05T18:00",
        ends_at="2030-03-05T19:00",
        rrule="FREQ=WEEKLY;BYDAY=TU;COUNT=6",
    )
    day = datetime(2030, 3, 12).date()

    occ = update_occurrence(
        session,
        user=host,
        event_id=event.id,
        day=day,
        starts_at="2030-03-13T09:00",
        location="Garden",
    )
    assert occ.starts_at == datetime(2030, 3, 13, 8, 0, tzinfo=UTC)
    assert occ.ends_at - occ.starts_at == timedelta(hours=1)
    assert occ.location == "Garden"

    with pytest.raises(Invalid, match="at most three days"):
        update_occurrence(
            session, user=host, event_id=event.id, day=day, starts_at="2030-03-20T09:00"
        )
    with pytest.raises(NotFound):
        update_occurrence(
            session, user=host, event_id=event.id, day=day + timedelta(days=1), cancelled=True
        )

    occ = update_occurrence(session, user=host, event_id=event.id, day=day, cancelled=True)
    session.commit()
    assert occ.cancelled
    assert session.exec(select(func.count()).select_from(EventOccurrence)).one() == 1


def test_moving_an_event_to_another_day_keeps_its_answers(session):
    from app.events.rsvp import counts, set_rsvp

    host = make_user(session)
    space = make_space(session, host=host)
    start = soon(30)
    event = make_event(session, host=host, space=space, start=start, rrule="FREQ=WEEKLY")
    set_rsvp(session, user=host, event_id=event.id, status="going")
    session.commit()
    first_day = start.astimezone(ZoneInfo("Europe/Berlin")).date()

    update_event(
        session,
        user=host,
        event_id=event.id,
        data=event_input(start=start + timedelta(days=1), rrule="FREQ=WEEKLY"),
    )
    session.commit()

    assert counts(session, event_id=event.id, day=first_day)["going"] == 0
    assert counts(session, event_id=event.id, day=first_day + timedelta(days=1))["going"] == 1
