"""Background job: after an occurrence ends, invite attendees to follow up; prompt the organiser.

Idempotent and safe to run in several processes at once: each occurrence's follow-up starts by
inserting its unique EventFollowup row inside a savepoint. Whoever inserts first sends; anyone
else hits the unique key (on PostgreSQL after waiting for the first to commit) and skips it.
The notifications and the mark commit together, so a crash sends nothing rather than half.
"""

from datetime import date, datetime, timedelta

from sqlalchemy import or_
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from app.core.domain_events import EventEnded, publish
from app.events.models import Event, EventFollowup, Rsvp, RsvpStatus
from app.events.occurrences import Occurrence, overrides_for, resolve
from app.events.recurrence import expand

# Occurrences that ended longer ago than this are not followed up (e.g. on a first run).
LOOKBACK = timedelta(days=2)
MAX_EVENTS = 500


def _ended_occurrences(session: Session, now: datetime) -> list[Occurrence]:
    since = now - LOOKBACK
    events = list(
        session.exec(
            select(Event)
            .where(
                col(Event.cancelled_at).is_(None),
                col(Event.starts_at) <= now,
                or_(col(Event.series_ends_at).is_(None), col(Event.series_ends_at) > since),
            )
            .order_by(col(Event.id))
            .limit(MAX_EVENTS)
        ).all()
    )
    overrides = overrides_for(session, events, since=(since - timedelta(days=4)).date())
    ended = []
    for event in events:
        for slot in expand(
            rule_text=event.rrule,
            starts_at=event.starts_at,
            ends_at=event.ends_at,
            zone_name=event.timezone,
            after=since - timedelta(days=4),
            before=now,
            limit=50,
        ):
            occ = resolve(event, slot, overrides.get((event.id, slot.occurrence_date)))  # type: ignore[arg-type]
            if not occ.cancelled and since < occ.ends_at <= now:
                ended.append(occ)
    return ended


def _claim(session: Session, event_id: int, day: date, now: datetime) -> bool:
    try:
        with session.begin_nested():
            session.add(EventFollowup(event_id=event_id, occurrence_date=day, sent_at=now))
            session.flush()
    except IntegrityError:
        return False
    return True


def send_event_followups(session: Session, now: datetime) -> int:
    """Send follow-ups for occurrences that ended recently; returns how many were sent."""
    ended = _ended_occurrences(session, now)
    if not ended:
        return 0
    done = set(
        session.exec(
            select(col(EventFollowup.event_id), col(EventFollowup.occurrence_date)).where(
                col(EventFollowup.event_id).in_({o.event.id for o in ended})
            )
        ).all()
    )
    sent = 0
    for occ in ended:
        event = occ.event
        key = (event.id, occ.occurrence_date)
        if key in done or not _claim(session, event.id, occ.occurrence_date, now):  # type: ignore[arg-type]
            continue
        url = f"/events/{event.id}?on={occ.key}"
        attendees = session.exec(
            select(Rsvp.user_id).where(
                Rsvp.event_id == event.id,
                Rsvp.occurrence_date == occ.occurrence_date,
                or_(col(Rsvp.status) == RsvpStatus.going, col(Rsvp.checked_in_at).is_not(None)),
            )
        ).all()
        publish(
            session, EventEnded(event=event, attendee_ids=tuple(sorted(set(attendees))), url=url)
        )
        sent += 1
    session.flush()
    return sent
