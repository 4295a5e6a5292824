"""Follow-ups after an event: sent once, to attendees and the organiser, even from two processes."""

import threading
from datetime import UTC, date, datetime, timedelta

from sqlmodel import Session, func, select
from typer.testing import CliRunner

from app.core.db import get_engine
from app.events.jobs import send_event_followups
from app.events.models import EventFollowup
from app.events.rsvp import check_in, set_rsvp
from app.events.service import update_occurrence
from app.notifications.models import Notification
from tests.events.factories import make_event, make_people
from tests.factories import make_space, make_user


def _kinds(session, user):
    return sorted(
        session.exec(select(Notification.kind).where(Notification.user_id == user.id)).all()
    )


def test_attendees_and_organiser_are_followed_up_once(session):
    host = make_user(session)
    going, maybe, walk_in = make_people(session, 3)
    space = make_space(session, host=host, members=(going, maybe, walk_in))
    start = datetime.now(UTC).replace(second=0, microsecond=0) - timedelta(hours=1)
    event = make_event(
        session,
        host=host,
        space=space,
        start=start,
        end=start + timedelta(minutes=50),
        capacity="1",
    )
    now = start + timedelta(minutes=30)
    set_rsvp(session, user=going, event_id=event.id, status="going", now=now)
    set_rsvp(session, user=maybe, event_id=event.id, status="maybe", now=now)
    check_in(session, user=walk_in, event_id=event.id, code=event.checkin_code, now=now)
    session.commit()

    assert send_event_followups(session, now) == 0  # not over yet
    later = start + timedelta(hours=1)
    assert send_event_followups(session, later) == 1
    session.commit()
    assert send_event_followups(session, later + timedelta(minutes=5)) == 0
    session.commit()

    assert _kinds(session, going) == ["event_followup"]
    assert _kinds(session, walk_in) == ["event_followup"]
    assert _kinds(session, maybe) == []
    assert _kinds(session, host) == ["event_recap"]
    note = session.exec(select(Notification).where(Notification.user_id == going.id)).one()
    assert note.url == f"/events/{event.id}?on={note.url.split('on=')[1]}"
    assert note.url.endswith("#discussion")


def test_each_occurrence_of_a_series_gets_its_own_follow_up(session):
    host = make_user(session)
    space = make_space(session, host=host)
    event = make_event(
        session,
        host=host,
        space=space,
        starts_at="2030-01-07T10:00",
        ends_at="2030-01-07T11:00",
        rrule="FREQ=WEEKLY;BYDAY=MO",
    )
    update_occurrence(
        session,
        user=host,
        event_id=event.id,
        day=date(2030, 1, 14),
        cancelled=True,
        now=datetime(2030, 1, 1, tzinfo=UTC),
    )
    session.commit()
    assert send_event_followups(session, datetime(2030, 1, 7, 12, tzinfo=UTC)) == 1
    assert send_event_followups(session, datetime(2030, 1, 14, 12, tzinfo=UTC)) == 0  # cancelled
    assert send_event_followups(session, datetime(2030, 1, 21, 12, tzinfo=UTC)) == 1
    session.commit()
    days = session.exec(
        select(EventFollowup.occurrence_date).order_by(EventFollowup.occurrence_date)
    ).all()
    assert days == [date(2030, 1, 7), date(2030, 1, 21)]


def test_long_finished_events_are_not_followed_up(session):
    host = make_user(session)
    space = make_space(session, host=host)
    make_event(
        session, host=host, space=space, starts_at="2030-01-07T10:00", ends_at="2030-01-07T11:00"
    )
    assert send_event_followups(session, datetime(2030, 1, 20, tzinfo=UTC)) == 0


def test_two_processes_at_once_send_once(session):
    host = make_user(session)
    people = make_people(session, 5)
    space = make_space(session, host=host, members=tuple(people))
    start = datetime.now(UTC).replace(second=0, microsecond=0) - timedelta(hours=3)
    event = make_event(session, host=host, space=space, start=start)
    for person in people:
        set_rsvp(
            session, user=person, event_id=event.id, status="going", now=start - timedelta(hours=1)
        )
    session.commit()
    later = datetime.now(UTC)
    barrier = threading.Barrier(4)
    results, errors = [], []

    def worker():
        try:
            with Session(get_engine()) as own:
                barrier.wait(timeout=30)
                results.append(send_event_followups(own, later))
                own.commit()
        except Exception as exc:
            errors.append(repr(exc))

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)

    assert errors == []
    assert sorted(results) == [0, 0, 0, 1]
    total = session.exec(select(func.count()).where(Notification.kind == "event_followup")).one()
    assert total == 5


def test_cli_runs_the_jobs_once(session):
    from app.cli import cli

    host = make_user(session)
    space = make_space(session, host=host)
    start = datetime.now(UTC).replace(second=0, microsecond=0) - timedelta(hours=3)
    make_event(session, host=host, space=space, start=start)
    runner = CliRunner()
    first = runner.invoke(cli, ["jobs", "run-once", "--job", "send_event_followups"])
    second = runner.invoke(cli, ["jobs", "run-once", "--job", "send_event_followups"])
    assert first.exit_code == 0, first.output
    assert "send_event_followups: 1" in first.output
    assert "send_event_followups: 0" in second.output
