"""JSON API for events: list/create per space, read/change/cancel, RSVP, attendees, calendars.

Times go out as ISO 8601 with offset (UTC). Create and PATCH take `starts_at`/`ends_at` as
wall-clock times in `timezone` when they carry no offset. Errors answer {"detail": "..."}
(422s also carry "errors": {field: message}).
"""

from datetime import date, datetime
from typing import Annotated, Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Query, Response
from pydantic import BaseModel, Field
from sqlmodel import Session, col

from app.api.deps import ApiUser
from app.api.schemas import CONFLICT, Input
from app.core.db import utcnow
from app.core.ids import Id
from app.core.security import SessionDep
from app.core.transactions import TransactionalRoute
from app.events import feeds, service
from app.events.access import EventAccess, load_event
from app.events.models import Event, Rsvp, RsvpStatus
from app.events.occurrences import (
    Occurrence,
    asked_or_current,
    current_occurrences,
    events_page,
)
from app.events.rsvp import attendees, counts_for, set_rsvp
from app.events.schemas import (
    MAX_CAPACITY,
    MAX_DESCRIPTION,
    MAX_LOCATION,
    MAX_TITLE,
    MAX_URL,
    EventInput,
)
from app.people.models import User
from app.spaces.access import require_read, space_access_by_slug
from app.spaces.models import Space

router = APIRouter(route_class=TransactionalRoute, tags=["events"])


def _text(max_length: int, description: str, **kwargs: Any) -> Any:
    return Field(None, strict=True, max_length=max_length, description=description, **kwargs)


class EventWrite(Input):
    """Create: title, starts_at, ends_at and timezone are needed. PATCH: given fields change."""

    title: str | None = _text(MAX_TITLE, "One line")
    description: str | None = _text(MAX_DESCRIPTION, "Markdown")
    starts_at: str | None = _text(
        40,
        "Wall-clock time in `timezone`, or ISO 8601 with an offset; within ten years of today",
        examples=["2030-03-05T18:00"],
    )
    ends_at: str | None = _text(
        40, "After starts_at, at most 14 days later", examples=["2030-03-05T20:00"]
    )
    timezone: str | None = _text(64, "An IANA time zone", examples=["Europe/Berlin"])
    location: str | None = _text(MAX_LOCATION, "Where")
    online_url: str | None = _text(MAX_URL, "An http(s) link")
    # The range is checked with the other fields (every problem is reported at once).
    capacity: int | None = Field(
        None,
        strict=True,
        description=f"Places, 0 to {MAX_CAPACITY}; null for no limit, 0 for a waitlist only",
    )
    rrule: str | None = _text(
        200, "An RFC 5545 rule (weekly or monthly)", examples=["FREQ=WEEKLY;INTERVAL=2;BYDAY=TU"]
    )
    rsvp_deadline: str | None = _text(40, "Like starts_at; single events only")


class EventOut(BaseModel):
    id: int
    space: str
    title: str
    description: str
    starts_at: datetime
    ends_at: datetime
    timezone: str
    location: str
    online_url: str
    capacity: int | None
    rrule: str | None
    rsvp_deadline: datetime | None
    cancelled: bool
    going_count: int
    waitlist_count: int
    occurrence: date
    discussion_post_id: int | None
    protocol_id: int | None
    url: str


class EventPage(BaseModel):
    items: list[EventOut]
    next_cursor: str | None


class RsvpIn(Input):
    status: str = Field(strict=True, max_length=20, examples=["going", "maybe", "declined"])
    occurrence: date | None = Field(None, description="The day of a series' occurrence")


class RsvpOut(BaseModel):
    status: str


class AttendeeOut(BaseModel):
    user_id: int
    display_name: str
    handle: str
    status: str
    checked_in: bool

    @classmethod
    def of(cls, rsvp: Rsvp, person: User) -> "AttendeeOut":
        return cls(
            user_id=person.id,
            display_name=person.display_name,
            handle=person.handle,
            status=str(rsvp.status),
            checked_in=rsvp.checked_in_at is not None,
        )


class AttendeePage(BaseModel):
    items: list[AttendeeOut]
    next_cursor: str | None


class FeedOut(BaseModel):
    url: str


def _out(event: Event, space: Space, occ: Occurrence, numbers: dict[str, int]) -> EventOut:
    return EventOut(
        id=event.id or 0,
        space=space.slug,
        title=event.title,
        description=event.description,
        starts_at=event.starts_at,
        ends_at=event.ends_at,
        timezone=event.timezone,
        location=event.location,
        online_url=event.online_url,
        capacity=event.capacity,
        rrule=event.rrule,
        rsvp_deadline=event.rsvp_deadline,
        cancelled=event.cancelled_at is not None,
        going_count=numbers.get(RsvpStatus.going.value, 0),
        waitlist_count=numbers.get(RsvpStatus.waitlisted.value, 0),
        occurrence=occ.occurrence_date,
        discussion_post_id=event.discussion_post_id,
        protocol_id=event.protocol_id,
        url=f"/events/{event.id}",
    )


def _outs(session: Session, rows: list[tuple[Event, Space]]) -> list[EventOut]:
    """Counts for the current occurrence of each event: three queries for any number."""
    occurrences = current_occurrences(session, [e for e, _s in rows], now=utcnow())
    chosen = [(e, s, occurrences[e.id or 0]) for e, s in rows]
    numbers = counts_for(session, [(e.id or 0, o.occurrence_date) for e, _s, o in chosen])
    return [_out(e, s, o, numbers[(e.id or 0, o.occurrence_date)]) for e, s, o in chosen]


def _one(session: Session, access: EventAccess) -> EventOut:
    return _outs(session, [(access.event, access.space.space)])[0]


def _input(data: EventWrite, base: dict[str, Any] | None = None) -> EventInput:
    values = dict(base or {})
    values.update(data.model_dump(exclude_unset=True))
    return EventInput(**{k: v for k, v in values.items() if v is not None or k == "capacity"})


def _current_values(event: Event) -> dict[str, Any]:
    zone = ZoneInfo(event.timezone)

    def wall(moment: datetime | None) -> str | None:
        return moment.astimezone(zone).strftime("%Y-%m-%dT%H:%M:%S") if moment else None

    return {
        "title": event.title,
        "description": event.description,
        "starts_at": wall(event.starts_at),
        "ends_at": wall(event.ends_at),
        "timezone": event.timezone,
        "location": event.location,
        "online_url": event.online_url,
        "capacity": event.capacity,
        "rrule": event.rrule,
        "rsvp_deadline": wall(event.rsvp_deadline),
    }


@router.get("/spaces/{slug}/events", response_model=EventPage)
def list_events(
    session: SessionDep,
    user: ApiUser,
    slug: str,
    cursor: str | None = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
) -> EventPage:
    """Events of a space that are not over yet (a series once), soonest first."""
    access = require_read(space_access_by_slug(session, user, slug))
    in_space = col(Event.space_id) == access.space.id
    page = events_page(session, where=in_space, now=utcnow(), cursor=cursor, limit=limit)
    items = _outs(session, [(e, access.space) for e in page.items])
    return EventPage(items=items, next_cursor=page.next_cursor)


@router.post("/spaces/{slug}/events", response_model=EventOut, status_code=201)
def create(session: SessionDep, user: ApiUser, slug: str, data: EventWrite) -> EventOut:
    access = space_access_by_slug(session, user, slug)
    event = service.create_event(session, access=access, data=_input(data))
    return _one(session, load_event(session, user=user, event_id=event.id))  # type: ignore[arg-type]


JSON_ERROR: dict[str, Any] = {
    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorOut"}}}
}


class CalendarResponse(Response):
    media_type = "text/calendar"


@router.get(
    "/events/{event_id}.ics",
    response_class=CalendarResponse,
    # Errors stay JSON: said here, or they would be documented as text/calendar too.
    responses={
        200: {"description": "An iCalendar file (RFC 5545)"},
        **{status: JSON_ERROR for status in (401, 403, 404)},
    },
)
def event_ics(session: SessionDep, user: ApiUser, event_id: Id) -> Response:
    event = load_event(session, user=user, event_id=event_id).event
    body = feeds.event_file(session, event=event)
    return CalendarResponse(body, media_type="text/calendar; charset=utf-8")


@router.get("/events/{event_id}", response_model=EventOut)
def read(session: SessionDep, user: ApiUser, event_id: Id) -> EventOut:
    return _one(session, load_event(session, user=user, event_id=event_id))


@router.patch("/events/{event_id}", response_model=EventOut)
def change(session: SessionDep, user: ApiUser, event_id: Id, data: EventWrite) -> EventOut:
    """Change given fields; local times stay wall-clock times in the (new) time zone."""
    access = load_event(session, user=user, event_id=event_id)
    merged = _input(data, base=_current_values(access.event))
    service.update_event(session, user=user, event_id=event_id, data=merged)
    return _one(session, load_event(session, user=user, event_id=event_id))


@router.delete("/events/{event_id}", status_code=204)
def cancel(session: SessionDep, user: ApiUser, event_id: Id) -> Response:
    """Cancel (kept, marked cancelled, so subscribed calendars drop it too)."""
    service.cancel_event(session, user=user, event_id=event_id)
    return Response(status_code=204)


@router.post("/events/{event_id}/rsvp", response_model=RsvpOut, responses=CONFLICT)
def rsvp(session: SessionDep, user: ApiUser, event_id: Id, data: RsvpIn) -> RsvpOut:
    """Answer going / maybe / declined; the result may be `waitlisted`. Repeating is harmless."""
    status = set_rsvp(
        session, user=user, event_id=event_id, status=data.status, occurrence_date=data.occurrence
    )
    return RsvpOut(status=str(status))


@router.get("/events/{event_id}/attendees", response_model=AttendeePage)
def list_attendees(
    session: SessionDep,
    user: ApiUser,
    event_id: Id,
    occurrence: date | None = None,
    cursor: str | None = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> AttendeePage:
    """Who is going, maybe or waitlisted (in the order they asked), for one occurrence."""
    access = load_event(session, user=user, event_id=event_id)
    occ = asked_or_current(session, event=access.event, day=occurrence, now=utcnow())
    page = attendees(
        session, event_id=event_id, day=occ.occurrence_date, cursor=cursor, limit=limit
    )
    items = [AttendeeOut.of(rsvp, person) for rsvp, person in page.items]
    return AttendeePage(items=items, next_cursor=page.next_cursor)


@router.get("/me/calendar", response_model=FeedOut)
def my_calendar(session: SessionDep, user: ApiUser) -> FeedOut:
    """The personal feed address (created on first request; revoke it on the events page)."""
    return FeedOut(url=feeds.feed_url(feeds.feed_token(session, user=user)))


@router.get("/spaces/{slug}/calendar", response_model=FeedOut)
def space_calendar(session: SessionDep, user: ApiUser, slug: str) -> FeedOut:
    access = space_access_by_slug(session, user, slug)
    return FeedOut(url=feeds.feed_url(feeds.feed_token(session, user=user, access=access)))
