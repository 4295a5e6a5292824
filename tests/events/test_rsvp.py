"""RSVPs: capacity, fair waitlist, idempotence, check-in, and no overbooking under concurrency."""

import threading
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import Session, func, select

from app.core.db import get_engine, utcnow
from app.core.errors import Conflict, Forbidden, Invalid, NotFound
from app.events.models import Rsvp, RsvpStatus
from app.events.rsvp import attendees, check_in, counts, my_rsvp, set_rsvp
from app.events.service import cancel_event, update_event
from app.notifications.models import Notification
from app.posts.models import Post
from tests.events.factories import event_input, make_event, make_people, soon
from tests.factories import make_space, make_user


def _status(session, event, user):
    return session.exec(
        select(Rsvp.status).where(Rsvp.event_id == event.id, Rsvp.user_id == user.id)
    ).one()


def test_capacity_fills_then_waitlists_in_arrival_order(session):
    host = make_user(session)
    people = make_people(session, 4)
    space = make_space(session, host=host, members=tuple(people))
    event = make_event(session, host=host, space=space, capacity="2")

    results = [set_rsvp(session, user=p, event_id=event.id, status="going") for p in people]
    session.commit()

    assert results == ["going", "going", "waitlisted", "waitlisted"]
    day = _status_day(session, event)
    assert my_rsvp(session, user=people[3], event_id=event.id, day=day)[1] == 2
    assert my_rsvp(session, user=people[2], event_id=event.id, day=day)[1] == 1
    numbers = counts(session, event_id=event.id, day=day)
    assert numbers["going"] == 2
    assert numbers["waitlisted"] == 2


def _status_day(session, event):
    return session.exec(select(Rsvp.occurrence_date).where(Rsvp.event_id == event.id)).first()


def test_declining_promotes_the_first_waitlisted_and_notifies_them(session):
    host = make_user(session)
    first, second, third = make_people(session, 3)
    space = make_space(session, host=host, members=(first, second, third))
    event = make_event(session, host=host, space=space, capacity="1")
    for person in (first, second, third):
        set_rsvp(session, user=person, event_id=event.id, status="going")
    session.commit()

    assert set_rsvp(session, user=first, event_id=event.id, status="declined") == "declined"
    session.commit()

    assert _status(session, event, second) == RsvpStatus.going
    assert _status(session, event, third) == RsvpStatus.waitlisted
    note = session.exec(select(Notification).where(Notification.user_id == second.id)).one()
    assert note.kind == "event_promoted"
    assert f"/events/{event.id}" in note.url
    assert session.exec(select(func.count()).where(Notification.user_id == third.id)).one() == 0
    post = session.get(Post, event.discussion_post_id)
    session.refresh(post)
    assert "1 going" in post.body
    assert "1 on the waitlist" in post.body


def test_rsvp_is_idempotent_and_a_waitlisted_person_keeps_their_turn(session):
    host = make_user(session)
    a, b, c = make_people(session, 3)
    space = make_space(session, host=host, members=(a, b, c))
    event = make_event(session, host=host, space=space, capacity="1")
    set_rsvp(session, user=a, event_id=event.id, status="going")
    set_rsvp(session, user=b, event_id=event.id, status="going")
    set_rsvp(session, user=c, event_id=event.id, status="going")
    session.commit()
    before = session.exec(select(Rsvp).where(Rsvp.user_id == b.id)).one().queued_at

    assert set_rsvp(session, user=a, event_id=event.id, status="going") == "going"
    assert set_rsvp(session, user=b, event_id=event.id, status="going") == "waitlisted"
    session.commit()

    assert session.exec(select(func.count()).select_from(Rsvp)).one() == 3
    mine = session.exec(select(Rsvp).where(Rsvp.user_id == b.id)).one()
    session.refresh(mine)
    assert mine.queued_at == before
    set_rsvp(session, user=a, event_id=event.id, status="maybe")
    session.commit()
    assert _status(session, event, b) == RsvpStatus.going
    assert _status(session, event, c) == RsvpStatus.waitlisted


def test_raising_capacity_serves_the_waitlist(session):
    host = make_user(session)
    a, b, c = make_people(session, 3)
    space = make_space(session, host=host, members=(a, b, c))
    start = soon(30)
    event = make_event(session, host=host, space=space, capacity="1", start=start)
    for person in (a, b, c):
        set_rsvp(session, user=person, event_id=event.id, status="going")
    session.commit()

    update_event(session, user=host, event_id=event.id, data=event_input(start=start, capacity="2"))
    session.commit()

    assert _status(session, event, b) == RsvpStatus.going
    assert _status(session, event, c) == RsvpStatus.waitlisted


def test_capacity_zero_means_waitlist_only(session):
    host, a = make_user(session), make_user(session)
    space = make_space(session, host=host, members=(a,))
    event = make_event(session, host=host, space=space, capacity="0")
    assert set_rsvp(session, user=a, event_id=event.id, status="going") == "waitlisted"


def test_refusals(session):
    host, member, outsider = make_user(session), make_user(session), make_user(session)
    space = make_space(session, host=host, members=(member,), visibility="private")
    event = make_event(session, host=host, space=space)
    with pytest.raises(NotFound):
        set_rsvp(session, user=outsider, event_id=event.id, status="going")
    with pytest.raises(Invalid):
        set_rsvp(session, user=member, event_id=event.id, status="waitlisted")
    past = make_event(session, host=host, space=space, start=utcnow() - timedelta(hours=5))
    with pytest.raises(Invalid, match="over"):
        set_rsvp(session, user=member, event_id=past.id, status="going")
    session.rollback()
    deadline = make_event(
        session,
        host=host,
        space=space,
        rsvp_deadline=(utcnow() - timedelta(minutes=5)).isoformat(),
    )
    with pytest.raises(Invalid, match="deadline"):
        set_rsvp(session, user=member, event_id=deadline.id, status="going")
    session.rollback()
    assert set_rsvp(session, user=member, event_id=deadline.id, status="declined") == "declined"
    cancel_event(session, user=host, event_id=event.id)
    session.commit()
    with pytest.raises(Conflict):
        set_rsvp(session, user=member, event_id=event.id, status="going")


def test_public_events_are_open_to_every_employee(session):
    host, anyone = make_user(session), make_user(session)
    space = make_space(session, host=host)
    event = make_event(session, host=host, space=space)
    assert set_rsvp(session, user=anyone, event_id=event.id, status="going") == "going"


def test_rsvps_are_per_occurrence_of_a_series(session):
    host, a, b = make_user(session), make_user(session), make_user(session)
    space = make_space(session, host=host, members=(a, b))
    start = soon(24)
    event = make_event(
        session, host=host, space=space, start=start, capacity="1", rrule="FREQ=WEEKLY"
    )
    first = start.astimezone(ZoneInfo("Europe/Berlin")).date()
    second = first + timedelta(days=7)

    assert set_rsvp(session, user=a, event_id=event.id, status="going") == "going"
    assert set_rsvp(session, user=b, event_id=event.id, status="going") == "waitlisted"
    assert (
        set_rsvp(session, user=b, event_id=event.id, status="going", occurrence_date=second)
        == "going"
    )
    with pytest.raises(NotFound):
        set_rsvp(
            session,
            user=b,
            event_id=event.id,
            status="going",
            occurrence_date=first + timedelta(days=1),
        )
    assert counts(session, event_id=event.id, day=first)["going"] == 1
    assert counts(session, event_id=event.id, day=second)["going"] == 1


def test_check_in_needs_the_code_and_the_right_time(session):
    host, guest, walk_in = make_user(session), make_user(session), make_user(session)
    space = make_space(session, host=host, members=(guest, walk_in))
    event = make_event(session, host=host, space=space, start=soon(1), capacity="1")
    later = make_event(session, host=host, space=space, start=soon(30))
    set_rsvp(session, user=guest, event_id=event.id, status="going")
    set_rsvp(session, user=walk_in, event_id=event.id, status="going")
    session.commit()

    with pytest.raises(NotFound):
        check_in(session, user=guest, event_id=event.id, code="wrong")
    with pytest.raises(Invalid, match="Check-in opens"):
        check_in(session, user=guest, event_id=later.id, code=later.checkin_code)
    _access, _occ, new = check_in(session, user=guest, event_id=event.id, code=event.checkin_code)
    _access, _occ, again = check_in(session, user=guest, event_id=event.id, code=event.checkin_code)
    check_in(session, user=walk_in, event_id=event.id, code=event.checkin_code)
    session.commit()

    assert (new, again) == (True, False)
    rows = {r.user_id: r for r in session.exec(select(Rsvp).where(Rsvp.event_id == event.id))}
    assert rows[guest.id].checked_in_at is not None
    # The waitlisted person who came anyway counts as attending.
    assert rows[walk_in.id].status == RsvpStatus.going
    assert rows[walk_in.id].checked_in_at


def test_attendee_list_pages_in_arrival_order(session):
    host = make_user(session)
    people = make_people(session, 5)
    space = make_space(session, host=host, members=tuple(people))
    event = make_event(session, host=host, space=space)
    for person in people:
        set_rsvp(session, user=person, event_id=event.id, status="going")
    set_rsvp(session, user=people[1], event_id=event.id, status="declined")
    session.commit()
    day = _status_day(session, event)

    first = attendees(session, event_id=event.id, day=day, limit=2)
    rest = attendees(session, event_id=event.id, day=day, limit=2, cursor=first.next_cursor)

    names = [u.id for _r, u in first.items + rest.items]
    assert names == [people[0].id, people[2].id, people[3].id, people[4].id]
    assert rest.next_cursor is None


def _rsvp_from_threads(event_id, users, status="going"):
    """Every user answers at the same moment, each on their own connection."""
    barrier = threading.Barrier(len(users))
    results, errors = {}, []

    def worker(user):
        try:
            with Session(get_engine(), expire_on_commit=False) as own:
                barrier.wait(timeout=30)
                results[user.id] = set_rsvp(own, user=user, event_id=event_id, status=status)
                own.commit()
        except Exception as exc:
            errors.append(repr(exc))

    threads = [threading.Thread(target=worker, args=(u,)) for u in users]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    return results, errors


def test_concurrent_rsvps_never_overbook(session):
    host = make_user(session)
    people = make_people(session, 16)
    space = make_space(session, host=host, members=tuple(people))
    event = make_event(session, host=host, space=space, capacity="5")

    results, errors = _rsvp_from_threads(event.id, people)

    assert errors == []
    assert sorted(results.values()).count("going") == 5
    rows = session.exec(select(Rsvp).where(Rsvp.event_id == event.id)).all()
    assert len(rows) == 16
    assert sum(r.status == RsvpStatus.going for r in rows) == 5
    assert sum(r.status == RsvpStatus.waitlisted for r in rows) == 11
    # The waitlist order is exactly the order in which the database served the requests.
    waiting = sorted(
        (r for r in rows if r.status == RsvpStatus.waitlisted), key=lambda r: (r.queued_at, r.id)
    )
    assert len({(r.queued_at, r.id) for r in waiting}) == 11


def test_concurrent_declines_and_joins_keep_capacity(session):
    host = make_user(session)
    going = make_people(session, 4)
    newcomers = make_people(session, 8)
    space = make_space(session, host=host, members=(*going, *newcomers))
    event = make_event(session, host=host, space=space, capacity="4")
    for person in going:
        set_rsvp(session, user=person, event_id=event.id, status="going")
    session.commit()

    barrier = threading.Barrier(len(going) + len(newcomers))
    errors = []

    def worker(user, status):
        try:
            with Session(get_engine(), expire_on_commit=False) as own:
                barrier.wait(timeout=30)
                set_rsvp(own, user=user, event_id=event.id, status=status)
                own.commit()
        except Exception as exc:
            errors.append(repr(exc))

    threads = [threading.Thread(target=worker, args=(u, "declined")) for u in going[:2]]
    threads += [threading.Thread(target=worker, args=(u, "going")) for u in newcomers]
    threads += [threading.Thread(target=worker, args=(u, "going")) for u in going[2:]]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)

    assert errors == []
    rows = session.exec(select(Rsvp).where(Rsvp.event_id == event.id)).all()
    assert sum(r.status == RsvpStatus.going for r in rows) == 4
    assert sum(r.status == RsvpStatus.waitlisted for r in rows) == 6


def test_archived_space_takes_no_rsvps(session):
    from app.spaces.access import access_for
    from app.spaces.service import set_archived

    host, a = make_user(session), make_user(session)
    space = make_space(session, host=host, members=(a,))
    event = make_event(session, host=host, space=space)
    set_archived(session, access=access_for(session, host, space), archived=True)
    session.commit()
    with pytest.raises(Forbidden):
        set_rsvp(session, user=a, event_id=event.id, status="going")
