"""What the event pages show, gathered in a fixed number of queries (nothing loads lazily)."""

from dataclasses import dataclass
from datetime import date, datetime
from functools import cache
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement
from sqlmodel import Session, col, select

from app.access.posts import is_removed
from app.core.db import utcnow
from app.core.errors import Invalid
from app.core.pagination import Page
from app.core.prepared import VIEWER
from app.events.access import (
    EventAccess,
    event_creators,
    load_event,
    may_create,
    my_events_filter,
)
from app.events.feeds import current_feed_url
from app.events.models import Event, Rsvp, RsvpStatus
from app.events.occurrences import (
    Occurrence,
    current_occurrence,
    neighbours,
    occurrence_on,
    past_events,
    upcoming,
    upcoming_in_one_query,
)
from app.events.recurrence import describe, form_values
from app.events.rsvp import attendees, counts, counts_for, my_rsvp
from app.events.schemas import EventForm, EventInput
from app.events.text import place_text, places_text, when_text
from app.people.models import PersonRow, User
from app.posts.models import CommentRow, Post
from app.posts.streams import comments_page
from app.spaces.access import SpaceAccess
from app.spaces.models import Space, SpaceRow
from app.spaces.service import member_count

GOING_SHOWN = 24


def parse_day(value: str | None) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise Invalid("That date is not valid (use YYYY-MM-DD)", field="on") from None


@dataclass
class EventPage:
    access: EventAccess
    occ: Occurrence
    counts: dict[str, int]
    mine: Rsvp | None
    position: int | None
    going: Page[tuple[Rsvp, User]]
    others: Page[tuple[Rsvp, User]]
    post: Post | None
    comments: Page[tuple[CommentRow, PersonRow | None]] | None
    member_count: int
    previous_day: date | None
    next_day: date | None
    rule_text: str
    event_when: str
    place: str
    now: datetime

    @property
    def event(self) -> Event:
        return self.access.event

    @property
    def space(self) -> Space:
        return self.access.space.space

    @property
    def is_over(self) -> bool:
        return self.occ.ends_at <= self.now

    @property
    def deadline_passed(self) -> bool:
        deadline = self.event.rsvp_deadline
        return deadline is not None and self.now > deadline

    @property
    def open_for_rsvp(self) -> bool:
        return self.access.can_rsvp and not self.occ.cancelled and not self.is_over

    @property
    def places_left(self) -> int | None:
        if self.event.capacity is None:
            return None
        return max(self.event.capacity - self.counts["going"], 0)

    @property
    def places_text(self) -> str:
        return places_text(self.event.capacity, self.counts["going"])

    @property
    def my_status(self) -> str | None:
        return str(self.mine.status) if self.mine is not None else None


def event_page(
    session: Session, *, user: User, event_id: int, day: date | None, now: datetime | None = None
) -> EventPage:
    """Everything the event page shows, for one occurrence (the next one unless a day is given)."""
    now = now or utcnow()
    access = load_event(session, user=user, event_id=event_id)
    event = access.event
    occ = (
        occurrence_on(session, event=event, day=day)
        if day
        else current_occurrence(session, event=event, now=now)
    )
    numbers = counts(session, event_id=event_id, day=occ.occurrence_date)
    mine, position = my_rsvp(session, user=user, event_id=event_id, day=occ.occurrence_date)
    going = attendees(
        session,
        event_id=event_id,
        day=occ.occurrence_date,
        statuses=(RsvpStatus.going,),
        limit=GOING_SHOWN,
    )
    others = attendees(
        session,
        event_id=event_id,
        day=occ.occurrence_date,
        statuses=(RsvpStatus.maybe, RsvpStatus.waitlisted),
        limit=GOING_SHOWN,
    )
    post = session.get(Post, event.discussion_post_id) if event.discussion_post_id else None
    if post is not None and is_removed(post):
        post = None
    comments = comments_page(session, user=user, post=post, limit=20) if post else None
    previous_day, next_day = neighbours(event, occ)
    return EventPage(
        access=access,
        occ=occ,
        counts=numbers,
        mine=mine,
        position=position,
        going=going,
        others=others,
        post=post,
        comments=comments,
        member_count=member_count(session, event.space_id),
        previous_day=previous_day,
        next_day=next_day,
        rule_text=describe(event.rrule, start=event.starts_at, zone_name=event.timezone),
        event_when=when_text(occ.starts_at, occ.ends_at, event.timezone),
        place=place_text(event, occ.location),
        now=now,
    )


@dataclass
class Listing:
    """Occurrences with their counts and the viewer's own answers, for list templates."""

    page: Page[tuple[Occurrence, Space]]
    numbers: dict[tuple[int, date], dict[str, int]]
    mine: dict[tuple[int, date], str]

    def count(self, occ: Occurrence, status: str = "going") -> int:
        return self.numbers.get((occ.event.id, occ.occurrence_date), {}).get(status, 0)  # type: ignore[arg-type]

    def my_status(self, occ: Occurrence) -> str | None:
        return self.mine.get((occ.event.id, occ.occurrence_date))  # type: ignore[arg-type]


def listing(
    session: Session,
    *,
    user: User,
    where: ColumnElement[bool],
    cursor: str | None,
    limit: int = 20,
    now: datetime | None = None,
) -> Listing:
    """A page of coming occurrences plus counts and my answers: five queries whatever the size."""
    page = upcoming(session, where=where, now=now or utcnow(), cursor=cursor, limit=limit)
    pairs = [(o.event.id, o.occurrence_date) for o, _s in page.items]
    numbers = counts_for(session, pairs)  # type: ignore[arg-type]
    mine: dict[tuple[int, date], str] = {}
    if pairs:
        rows = session.exec(
            select(col(Rsvp.event_id), col(Rsvp.occurrence_date), col(Rsvp.status)).where(
                Rsvp.user_id == user.id, col(Rsvp.event_id).in_({p[0] for p in pairs})
            )
        ).all()
        mine = {(e, d): str(s) for e, d, s in rows}
    return Listing(page=page, numbers=numbers, mine=mine)


def upcoming_for_home(
    session: Session, *, user: User, limit: int = 5
) -> list[tuple[Occurrence, SpaceRow]]:
    """The next few events for the home page aside, in exactly one query."""
    return upcoming_in_one_query(
        session, where=_for_viewer(), now=utcnow(), limit=limit, params={"viewer_id": user.id}
    )


def in_space(access: SpaceAccess) -> ColumnElement[bool]:
    return col(Event.space_id) == access.space.id


def for_me(user: User) -> ColumnElement[bool]:
    """Events in my spaces, and events I am going to in any space I can still read."""
    return my_events_filter(user.id)


@cache
def _for_viewer() -> ColumnElement[bool]:
    # The home page's filter, built once: the viewer is a parameter of the statement.
    return my_events_filter(VIEWER)


def space_tab(
    session: Session,
    *,
    access: SpaceAccess,
    cursor: str | None = None,
    past_cursor: str | None = None,
) -> dict[str, Any]:
    now = utcnow()
    return {
        "access": access,
        "space": access.space,
        "member_count": member_count(session, access.space.id),
        "listing": listing(session, user=access.user, where=in_space(access), cursor=cursor),
        "past": past_events(session, where=in_space(access), now=now, cursor=past_cursor),
        "may_create": may_create(session, access),
        "may_create_setting": str(event_creators(session, access.space.id)),  # type: ignore[arg-type]
        "calendar_url": current_feed_url(session, user=access.user, access=access),
    }


def form_for(event: Event) -> dict[str, Any]:
    """An event's stored values as the form shows them (wall-clock times in its own zone)."""
    zone = ZoneInfo(event.timezone)
    values: dict[str, Any] = {
        "title": event.title,
        "description": event.description,
        "starts_at": event.starts_at.astimezone(zone).strftime("%Y-%m-%dT%H:%M"),
        "ends_at": event.ends_at.astimezone(zone).strftime("%Y-%m-%dT%H:%M"),
        "timezone": event.timezone,
        "location": event.location,
        "online_url": event.online_url,
        "capacity": "" if event.capacity is None else event.capacity,
        "rsvp_deadline": event.rsvp_deadline.astimezone(zone).strftime("%Y-%m-%dT%H:%M")
        if event.rsvp_deadline
        else "",
        "rrule": "",
    }
    simple = form_values(event.rrule, start=event.starts_at, zone=zone)
    if event.rrule and "COUNT=" in event.rrule:
        # The simple choices cannot say "n times": show the rule itself.
        values.update(repeat="none", repeat_interval=1, repeat_until="", rrule=event.rrule)
    else:
        values.update(
            repeat=simple["repeat"],
            repeat_interval=simple["interval"],
            repeat_until=simple["until"],
        )
    return values


def input_from_form(form: EventForm) -> EventInput:
    return EventInput(
        title=form.title,
        description=form.description,
        starts_at=form.starts_at,
        ends_at=form.ends_at,
        timezone=form.timezone,
        location=form.location,
        online_url=form.online_url,
        capacity=form.capacity,
        rrule=form.rrule or None,
        rsvp_deadline=form.rsvp_deadline or None,
        repeat=form.repeat or None,
        repeat_interval=form.repeat_interval,
        repeat_until=form.repeat_until,
    )
