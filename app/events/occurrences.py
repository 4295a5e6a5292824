"""Occurrences: a series expanded (boundedly) and merged with per-occurrence changes.

Lists page with a keyset cursor on (start, event id) and run a fixed number of queries: events
come from SQL, occurrences from expanding rules in memory, overrides in one further query.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import cache
from typing import Any, TypeVar

from sqlalchemy import ColumnElement, Date, and_, bindparam, or_, tuple_
from sqlmodel import Session, col, select

from app.core.db import UTCDateTime
from app.core.errors import NotFound
from app.core.pagination import Cursor, Page
from app.core.prepared import NOW
from app.core.rows import columns, fetch
from app.events.models import Event, EventOccurrence, EventRow, OccurrenceChangeRow
from app.events.recurrence import Slot, expand, neighbour_dates, slot_for_date
from app.spaces.models import Space, SpaceRow

# A single occurrence may be moved at most this far from its series date (keeps lists exact).
MAX_MOVE = timedelta(days=3)
MAX_SERIES_PER_LIST = 200
HOME_HORIZON = timedelta(days=60)

S = TypeVar("S")  # a space: its entity or its row


@dataclass(frozen=True)
class Occurrence:
    event: Event
    occurrence_date: date
    starts_at: datetime
    ends_at: datetime
    location: str
    override: EventOccurrence | None = None

    @property
    def cancelled(self) -> bool:
        return self.event.cancelled_at is not None or (
            self.override is not None and self.override.cancelled_at is not None
        )

    @property
    def key(self) -> str:
        return self.occurrence_date.isoformat()

    @property
    def moved(self) -> bool:
        return self.override is not None and self.override.starts_at is not None


def resolve(event: Event, slot: Slot, override: EventOccurrence | None) -> Occurrence:
    """Apply a per-occurrence change (if any) to what the series says."""
    starts_at, ends_at, location = slot.starts_at, slot.ends_at, event.location
    if override is not None:
        starts_at = override.starts_at or starts_at
        ends_at = override.ends_at or ends_at
        location = override.location if override.location is not None else location
    return Occurrence(event, slot.occurrence_date, starts_at, ends_at, location, override)


def _expand(event: Event, **window: object) -> Iterable[Slot]:
    return expand(
        rule_text=event.rrule,
        starts_at=event.starts_at,
        ends_at=event.ends_at,
        zone_name=event.timezone,
        **window,  # type: ignore[arg-type]
    )


def occurrence_on(session: Session, *, event: Event, day: date) -> Occurrence:
    """The occurrence named by its series date; 404 when the series has none that day."""
    slot = slot_for_date(
        rule_text=event.rrule,
        starts_at=event.starts_at,
        ends_at=event.ends_at,
        zone_name=event.timezone,
        day=day,
    )
    if slot is None:
        raise NotFound("This event does not take place on that day")
    override = None
    if event.rrule:
        override = session.exec(
            select(EventOccurrence).where(
                EventOccurrence.event_id == event.id, EventOccurrence.occurrence_date == day
            )
        ).first()
    return resolve(event, slot, override)


def current_occurrence(session: Session, *, event: Event, now: datetime) -> Occurrence:
    """The next occurrence not yet over (skipping cancelled ones), else the last one."""
    if not event.rrule:
        return resolve(event, next(iter(_expand(event))), None)
    overrides = overrides_for(session, [event], since=(now - MAX_MOVE).date())
    last: Occurrence | None = None
    for slot in _expand(event, after=now - MAX_MOVE, limit=60):
        occ = resolve(event, slot, overrides.get((event.id, slot.occurrence_date)))  # type: ignore[arg-type]
        if occ.ends_at > now and not occ.cancelled:
            return occ
        last = occ
    if last is not None:
        return last
    # The series is over: its last occurrence, found from the stored end.
    end = event.series_ends_at or now
    final = list(_expand(event, after=end - (event.ends_at - event.starts_at), limit=1))
    slot = final[0] if final else next(iter(_expand(event)))
    return resolve(event, slot, overrides.get((event.id, slot.occurrence_date)))  # type: ignore[arg-type]


def neighbours(event: Event, occ: Occurrence) -> tuple[date | None, date | None]:
    """Series dates before and after an occurrence (for "previous / next" links)."""
    if not event.rrule:
        return None, None
    return neighbour_dates(
        rule_text=event.rrule,
        starts_at=event.starts_at,
        zone_name=event.timezone,
        day=occ.occurrence_date,
    )


def overrides_for(
    session: Session, events: list[Event], *, since: date, until: date | None = None
) -> dict[tuple[int, date], EventOccurrence]:
    ids = [e.id for e in events if e.rrule and e.id is not None]
    if not ids:
        return {}
    query = select(EventOccurrence).where(
        col(EventOccurrence.event_id).in_(ids), col(EventOccurrence.occurrence_date) >= since
    )
    if until is not None:
        query = query.where(col(EventOccurrence.occurrence_date) <= until)
    rows = session.exec(query.limit(5000)).all()
    return {(o.event_id, o.occurrence_date): o for o in rows}


def _merge(
    events: list[tuple[Event, S]],
    overrides: dict[tuple[int, date], EventOccurrence],
    *,
    now: datetime,
    after: Cursor | None,
    limit: int,
) -> list[tuple[Occurrence, S]]:
    """`events` are entities or, read only to be shown, their rows (EventRow, SpaceRow,
    OccurrenceChangeRow): both have what expanding and resolving read."""
    found: list[tuple[Occurrence, S]] = []
    floor = max(now, after.at) if after else now
    for event, space in events:
        window_start = floor - MAX_MOVE if event.rrule else None
        for slot in _expand(event, after=window_start, limit=limit + 8):
            occ = resolve(event, slot, overrides.get((event.id, slot.occurrence_date)))  # type: ignore[arg-type]
            if occ.ends_at <= now:
                continue
            if after is not None and (occ.starts_at, event.id) <= (after.at, after.id):
                continue
            found.append((occ, space))
    found.sort(key=lambda pair: (pair[0].starts_at, pair[0].event.id))
    return found


def upcoming(
    session: Session,
    *,
    where: ColumnElement[bool],
    now: datetime,
    cursor: str | None = None,
    limit: int = 20,
) -> Page[tuple[Occurrence, Space]]:
    """Coming occurrences of the events matching `where`, soonest first, in three queries.

    Cancelled events drop out; a cancelled single occurrence stays, marked, so people see it.
    """
    after = Cursor.decode(cursor)
    base = (
        select(Event, Space)
        .join(Space, Space.id == Event.space_id)  # type: ignore[arg-type]
        .where(where, col(Event.cancelled_at).is_(None))
    )
    single = base.where(col(Event.rrule).is_(None), col(Event.ends_at) > now)
    if after is not None:
        single = single.where(tuple_(Event.starts_at, Event.id) > tuple_(after.at, after.id))
    singles = session.exec(
        single.order_by(col(Event.starts_at), col(Event.id)).limit(limit + 1)
    ).all()
    series = session.exec(
        base.where(
            col(Event.rrule).is_not(None),
            or_(col(Event.series_ends_at).is_(None), col(Event.series_ends_at) > now),
        )
        .order_by(col(Event.starts_at), col(Event.id))
        .limit(MAX_SERIES_PER_LIST)
    ).all()
    events = [(e, s) for e, s in [*singles, *series]]
    overrides = overrides_for(session, [e for e, _s in series], since=(now - MAX_MOVE).date())
    found = _merge(events, overrides, now=now, after=after, limit=limit)
    next_cursor = None
    if len(found) > limit:
        found = found[:limit]
        last = found[-1][0]
        next_cursor = Cursor(last.starts_at, last.event.id).encode()  # type: ignore[arg-type]
    return Page(items=found, next_cursor=next_cursor)


_UPCOMING_SHAPE = (EventRow, SpaceRow, OccurrenceChangeRow)


@cache
def _upcoming_statement(where: ColumnElement[bool]) -> Any:
    """Built once per filter; the filter itself must be built once (it may hold parameters)."""
    return (
        select(*columns(_UPCOMING_SHAPE))
        .select_from(Event)
        .join(Space, col(Space.id) == Event.space_id)
        .outerjoin(
            EventOccurrence,
            and_(
                col(EventOccurrence.event_id) == Event.id,
                col(EventOccurrence.occurrence_date) >= bindparam("first_day", type_=Date),
                col(EventOccurrence.occurrence_date) <= bindparam("last_day", type_=Date),
            ),
        )
        .where(
            where,
            col(Event.cancelled_at).is_(None),
            col(Event.starts_at) < bindparam("horizon", type_=UTCDateTime()),
            or_(col(Event.series_ends_at).is_(None), col(Event.series_ends_at) > NOW),
        )
        .order_by(col(Event.starts_at), col(Event.id))
        .limit(300)
    )


def upcoming_in_one_query(
    session: Session,
    *,
    where: ColumnElement[bool],
    now: datetime,
    limit: int = 5,
    params: dict[str, Any] | None = None,
) -> list[tuple[Occurrence, SpaceRow]]:
    """The next few occurrences in a single query (events outer-joined to their near overrides).

    Built for the home page, which may only spend one query on this aside, and which only shows
    them: they are read as rows (app.core.rows), not entities. `where` is a filter built once
    per process; `params` holds the values of its bind parameters.
    """
    horizon = now + HOME_HORIZON
    values = {
        **(params or {}),
        "now": now,
        "horizon": horizon,
        "first_day": (now - MAX_MOVE).date(),
        "last_day": (horizon + MAX_MOVE).date(),
    }
    events: dict[int, tuple[Any, Any]] = {}
    overrides: dict[tuple[int, date], Any] = {}
    statement = _upcoming_statement(where)
    for event, space, override in fetch(session, statement, values, _UPCOMING_SHAPE):
        events[event.id] = (event, space)
        if override is not None:
            overrides[(override.event_id, override.occurrence_date)] = override
    found = _merge(list(events.values()), overrides, now=now, after=None, limit=limit)
    return [(o, s) for o, s in found if o.starts_at < horizon][:limit]


def past_events(
    session: Session,
    *,
    where: ColumnElement[bool],
    now: datetime,
    cursor: str | None = None,
    limit: int = 10,
) -> Page[Event]:
    """Events (one-off or whole series) that are over, most recent first."""
    after = Cursor.decode(cursor)
    query = select(Event).where(
        where, col(Event.series_ends_at).is_not(None), col(Event.series_ends_at) <= now
    )
    if after is not None:
        query = query.where(tuple_(Event.series_ends_at, Event.id) < tuple_(after.at, after.id))
    rows = list(
        session.exec(
            query.order_by(col(Event.series_ends_at).desc(), col(Event.id).desc()).limit(limit + 1)
        ).all()
    )
    next_cursor = None
    if len(rows) > limit:
        rows = rows[:limit]
        last = rows[-1]
        next_cursor = Cursor(last.series_ends_at, last.id).encode()  # type: ignore[arg-type]
    return Page(items=rows, next_cursor=next_cursor)


def events_page(
    session: Session,
    *,
    where: ColumnElement[bool],
    now: datetime,
    cursor: str | None = None,
    limit: int = 20,
) -> Page[Event]:
    """Events (a series counts once) not over yet, by first start; a keyset page."""
    after = Cursor.decode(cursor)
    query = select(Event).where(
        where, or_(col(Event.series_ends_at).is_(None), col(Event.series_ends_at) > now)
    )
    if after is not None:
        query = query.where(tuple_(Event.starts_at, Event.id) > tuple_(after.at, after.id))
    rows = list(
        session.exec(query.order_by(col(Event.starts_at), col(Event.id)).limit(limit + 1)).all()
    )
    next_cursor = None
    if len(rows) > limit:
        rows = rows[:limit]
        next_cursor = Cursor(rows[-1].starts_at, rows[-1].id).encode()  # type: ignore[arg-type]
    return Page(items=rows, next_cursor=next_cursor)


def asked_or_current(
    session: Session, *, event: Event, day: date | None, now: datetime
) -> Occurrence:
    """The occurrence of the series date asked for (404 when there is none that day), or
    without one the event's current occurrence (as current_occurrences)."""
    if day is not None:
        return occurrence_on(session, event=event, day=day)
    return current_occurrences(session, [event], now=now)[event.id]  # type: ignore[index]


def current_occurrences(
    session: Session, events: list[Event], *, now: datetime
) -> dict[int, Occurrence]:
    """Each event's next occurrence not over (else its last one), with one overrides query."""
    overrides = overrides_for(session, events, since=(now - MAX_MOVE).date())
    found: dict[int, Occurrence] = {}
    for event in events:
        chosen: Occurrence | None = None
        for slot in _expand(event, after=now - MAX_MOVE if event.rrule else None, limit=60):
            chosen = resolve(event, slot, overrides.get((event.id, slot.occurrence_date)))  # type: ignore[arg-type]
            if chosen.ends_at > now and not chosen.cancelled:
                break
        if chosen is None:
            chosen = current_occurrence(session, event=event, now=now)
        found[event.id] = chosen  # type: ignore[index]
    return found
