"""RSVPs with capacity and a first-come-first-served waitlist; check-in at the venue.

Every change to who is going runs under a lock on the event row, taken before anything is
counted: SELECT ... FOR UPDATE on PostgreSQL; on SQLite a no-op UPDATE of the row, which takes
the database write lock at once (what BEGIN IMMEDIATE would do), so writers queue there and each
one counts what the previous one committed. Hence no overbooking however many people click at
the same moment, on any number of processes.
"""

import hmac
from datetime import date, datetime, timedelta

from sqlalchemy import func, or_, tuple_
from sqlmodel import Session, col, select

from app.core.db import lock_row, utcnow
from app.core.domain_events import CheckedIn, RsvpChanged, WaitlistPromoted, publish
from app.core.errors import Conflict, Forbidden, Invalid, NotFound
from app.core.pagination import Cursor, Page
from app.events.access import EventAccess, load_event
from app.events.discussion import sync_discussion_post
from app.events.models import Event, Rsvp, RsvpStatus
from app.events.occurrences import (
    Occurrence,
    current_occurrence,
    occurrence_on,
    overrides_for,
    resolve,
)
from app.events.recurrence import expand
from app.people.models import User

ANSWERS = (RsvpStatus.going, RsvpStatus.maybe, RsvpStatus.declined)
CHECKIN_OPENS = timedelta(hours=2)
CHECKIN_CLOSES = timedelta(hours=2)


def lock_event(session: Session, event: Event, *, loaded_locked: bool = False) -> None:
    """Serialise writers on this event and reload it (capacity may just have changed).

    `loaded_locked`: the event came from load_event(lock=True), which on PostgreSQL locked and
    reloaded it already; SQLite still takes its lock here."""
    if loaded_locked and session.get_bind().dialect.name == "postgresql":
        return
    lock_row(session, event, touch="sequence")


def _status_counts(session: Session, event_id: int, day: date) -> dict[str, int]:
    rows = session.exec(
        select(Rsvp.status, func.count())
        .where(Rsvp.event_id == event_id, Rsvp.occurrence_date == day)
        .group_by(Rsvp.status)
    ).all()
    return {str(status): n for status, n in rows}


def counts(session: Session, *, event_id: int, day: date) -> dict[str, int]:
    """How many are going, maybe, declined and waitlisted for one occurrence (one query)."""
    found = _status_counts(session, event_id, day)
    return {s.value: found.get(s.value, 0) for s in RsvpStatus}


def counts_for(
    session: Session, pairs: list[tuple[int, date]]
) -> dict[tuple[int, date], dict[str, int]]:
    """Counts for many occurrences at once (one query, for lists)."""
    result: dict[tuple[int, date], dict[str, int]] = {p: {} for p in pairs}
    if not pairs:
        return result
    rows = session.exec(
        select(col(Rsvp.event_id), col(Rsvp.occurrence_date), col(Rsvp.status), func.count())
        .where(tuple_(Rsvp.event_id, Rsvp.occurrence_date).in_(pairs))
        .group_by(col(Rsvp.event_id), col(Rsvp.occurrence_date), col(Rsvp.status))
    ).all()
    for event_id, day, status, n in rows:
        result.setdefault((event_id, day), {})[str(status)] = n
    return result


def refresh_discussion(session: Session, *, event: Event, now: datetime | None = None) -> None:
    """Bring the discussion post's header up to date with the current occurrence's RSVPs."""
    if event.discussion_post_id is None:
        return
    occ = current_occurrence(session, event=event, now=now or utcnow())
    numbers = counts(session, event_id=event.id, day=occ.occurrence_date)  # type: ignore[arg-type]
    sync_discussion_post(
        session,
        event=event,
        occ=occ,
        going=numbers["going"],
        waiting=numbers["waitlisted"],
    )


def _mine(session: Session, event_id: int, day: date, user_id: int) -> Rsvp | None:
    return session.exec(
        select(Rsvp).where(
            Rsvp.event_id == event_id, Rsvp.occurrence_date == day, Rsvp.user_id == user_id
        )
    ).first()


def promote_waitlisted(
    session: Session, *, event: Event, occ: Occurrence, actor_id: int | None
) -> list[int]:
    """Fill free places from the waitlist in arrival order and tell each person. Needs the lock."""
    if occ.cancelled or occ.ends_at <= utcnow():
        return []
    query = (
        select(Rsvp)
        .where(
            Rsvp.event_id == event.id,
            Rsvp.occurrence_date == occ.occurrence_date,
            Rsvp.status == RsvpStatus.waitlisted,
        )
        .order_by(col(Rsvp.queued_at), col(Rsvp.id))
    )
    if event.capacity is not None:
        going = counts(session, event_id=event.id, day=occ.occurrence_date)["going"]  # type: ignore[arg-type]
        free = event.capacity - going
        if free <= 0:
            return []
        query = query.limit(free)
    promoted = []
    now = utcnow()
    for rsvp in session.exec(query).all():
        rsvp.status, rsvp.responded_at = RsvpStatus.going, now
        session.add(rsvp)
        promoted.append(rsvp.user_id)
    if promoted:
        url = f"/events/{event.id}?on={occ.key}"
        fact = WaitlistPromoted(event=event, user_ids=tuple(promoted), url=url, by_id=actor_id)
        publish(session, fact)
    session.flush()
    return promoted


def set_rsvp(
    session: Session,
    *,
    user: User,
    event_id: int,
    status: str,
    occurrence_date: date | None = None,
    now: datetime | None = None,
) -> RsvpStatus:
    """Answer going / maybe / declined; returns the resulting status (maybe `waitlisted`).

    Giving the same answer again changes nothing, and asking to go while waitlisted keeps
    one's turn. Giving up a place hands it to the first person on the waitlist.
    """
    if status not in {s.value for s in ANSWERS}:
        raise Invalid("Answer going, maybe or declined", field="status")
    access = load_event(session, user=user, event_id=event_id, lock=True)
    if not access.can_rsvp:
        raise Forbidden("This space is archived")
    event = access.event
    now = now or utcnow()
    lock_event(session, event, loaded_locked=True)
    occ = (
        occurrence_on(session, event=event, day=occurrence_date)
        if occurrence_date
        else current_occurrence(session, event=event, now=now)
    )
    requested = RsvpStatus(status)
    if occ.cancelled:
        raise Conflict("This event was cancelled")
    if occ.ends_at <= now:
        raise Invalid("This event is over", field="status")
    if requested != RsvpStatus.declined and event.rsvp_deadline and now > event.rsvp_deadline:
        raise Invalid("The RSVP deadline has passed", field="status")
    existing = _mine(session, event.id, occ.occurrence_date, user.id)  # type: ignore[arg-type]
    if existing is not None and (
        existing.status == requested
        or (requested == RsvpStatus.going and existing.status == RsvpStatus.waitlisted)
    ):
        return RsvpStatus(existing.status)
    was_going = existing is not None and existing.status == RsvpStatus.going
    new = requested
    if requested == RsvpStatus.going:
        numbers = counts(session, event_id=event.id, day=occ.occurrence_date)  # type: ignore[arg-type]
        full = event.capacity is not None and numbers["going"] >= event.capacity
        # Someone already waiting goes first, even if a place looks free.
        if full or numbers["waitlisted"] > 0:
            new = RsvpStatus.waitlisted
    if existing is None:
        existing = Rsvp(
            event_id=event.id,  # type: ignore[arg-type]
            occurrence_date=occ.occurrence_date,
            user_id=user.id,  # type: ignore[arg-type]
            status=new,
        )
    existing.status, existing.responded_at = new, now
    if new in (RsvpStatus.going, RsvpStatus.waitlisted):
        existing.queued_at = now
    session.add(existing)
    session.flush()
    if was_going:
        promote_waitlisted(session, event=event, occ=occ, actor_id=user.id)
    refresh_discussion(session, event=event, now=now)
    session.flush()
    under_way = occ.starts_at <= now
    publish(
        session,
        RsvpChanged(
            event=event,
            user=user,
            occurrence_date=occ.occurrence_date,
            status=new,
            under_way=under_way,
        ),
    )
    return new


def my_rsvp(
    session: Session, *, user: User, event_id: int, day: date
) -> tuple[Rsvp | None, int | None]:
    """The person's RSVP and, when waitlisted, their place in the queue (1 = next)."""
    mine = _mine(session, event_id, day, user.id)  # type: ignore[arg-type]
    if mine is None or mine.status != RsvpStatus.waitlisted:
        return mine, None
    ahead = session.exec(
        select(func.count()).where(
            Rsvp.event_id == event_id,
            Rsvp.occurrence_date == day,
            Rsvp.status == RsvpStatus.waitlisted,
            tuple_(Rsvp.queued_at, Rsvp.id) < tuple_(mine.queued_at, mine.id),
        )
    ).one()
    return mine, ahead + 1


def attendees(
    session: Session,
    *,
    event_id: int,
    day: date,
    statuses: tuple[RsvpStatus, ...] = (RsvpStatus.going, RsvpStatus.maybe, RsvpStatus.waitlisted),
    cursor: str | None = None,
    limit: int = 50,
) -> Page[tuple[Rsvp, User]]:
    """Who answered (declines left out by default), in the order they asked for a place."""
    after = Cursor.decode(cursor)
    query = (
        select(Rsvp, User)
        .join(User, User.id == Rsvp.user_id)  # type: ignore[arg-type]
        .where(
            Rsvp.event_id == event_id,
            Rsvp.occurrence_date == day,
            col(Rsvp.status).in_([s.value for s in statuses]),
        )
        .order_by(col(Rsvp.queued_at), col(Rsvp.id))
        .limit(limit + 1)
    )
    if after is not None:
        query = query.where(tuple_(Rsvp.queued_at, Rsvp.id) > tuple_(after.at, after.id))
    rows = [(r, u) for r, u in session.exec(query).all()]
    next_cursor = None
    if len(rows) > limit:
        rows = rows[:limit]
        last = rows[-1][0]
        next_cursor = Cursor(last.queued_at, last.id).encode()  # type: ignore[arg-type]
    return Page(items=rows, next_cursor=next_cursor)


def attended(session: Session, *, event_id: int, day: date, limit: int = 500) -> list[User]:
    """People going or checked in, by name (the protocol's attendee list)."""
    return list(
        session.exec(
            select(User)
            .join(Rsvp, Rsvp.user_id == User.id)  # type: ignore[arg-type]
            .where(
                Rsvp.event_id == event_id,
                Rsvp.occurrence_date == day,
                or_(col(Rsvp.status) == RsvpStatus.going, col(Rsvp.checked_in_at).is_not(None)),
            )
            .order_by(col(User.display_name), col(User.id))
            .limit(limit)
        ).all()
    )


def checkin_occurrence(event: Event, *, now: datetime, session: Session) -> Occurrence:
    """The occurrence whose check-in is open now: from two hours before to two after."""
    slots = list(
        expand(
            rule_text=event.rrule,
            starts_at=event.starts_at,
            ends_at=event.ends_at,
            zone_name=event.timezone,
            after=now - CHECKIN_CLOSES - timedelta(days=3),
            before=now + CHECKIN_OPENS + timedelta(days=3),
            limit=10,
        )
    )
    overrides = overrides_for(session, [event], since=(now - timedelta(days=7)).date())
    for slot in slots:
        occ = resolve(event, slot, overrides.get((event.id, slot.occurrence_date)))  # type: ignore[arg-type]
        opens, closes = occ.starts_at - CHECKIN_OPENS, occ.ends_at + CHECKIN_CLOSES
        if not occ.cancelled and opens <= now <= closes:
            return occ
    raise Invalid("Check-in opens two hours before the event starts and closes two hours after it")


def check_in(
    session: Session, *, user: User, event_id: int, code: str, now: datetime | None = None
) -> tuple[EventAccess, Occurrence, bool]:
    """Record that the person is here; returns (access, occurrence, newly checked in).

    Someone who shows up counts as going, even beyond capacity: check-in records who came.
    """
    access = load_event(session, user=user, event_id=event_id)
    event = access.event
    if not hmac.compare_digest(code.encode(), event.checkin_code.encode()):
        raise NotFound("This check-in link is not valid")
    if not access.can_rsvp:
        raise Forbidden("This space is archived")
    now = now or utcnow()
    lock_event(session, event)
    occ = checkin_occurrence(event, now=now, session=session)
    rsvp = _mine(session, event.id, occ.occurrence_date, user.id)  # type: ignore[arg-type]
    if rsvp is not None and rsvp.checked_in_at is not None:
        return access, occ, False
    if rsvp is None:
        rsvp = Rsvp(
            event_id=event.id,  # type: ignore[arg-type]
            occurrence_date=occ.occurrence_date,
            user_id=user.id,  # type: ignore[arg-type]
            status=RsvpStatus.going,
        )
    rsvp.status, rsvp.checked_in_at, rsvp.responded_at = RsvpStatus.going, now, now
    session.add(rsvp)
    session.flush()
    refresh_discussion(session, event=event, now=now)
    publish(session, CheckedIn(event=event, user=user, occurrence_date=occ.occurrence_date))
    return access, occ, True
