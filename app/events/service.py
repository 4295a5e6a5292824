"""Events: create (with the discussion post), edit the series or one occurrence, cancel.

Input is checked completely before anything is written, so a refused form leaves no trace.
"""

import secrets
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import update
from sqlmodel import Session, col, select

from app.core.db import utcnow
from app.core.domain_events import EventChanged, EventSaved, publish
from app.core.errors import Forbidden, Invalid
from app.core.text import CONTROL_CHARACTER, text_problem
from app.events.access import EventAccess, load_event, require_create, require_organiser
from app.events.discussion import create_discussion_post, recap_markdown
from app.events.models import (
    Event,
    EventCreators,
    EventFollowup,
    EventOccurrence,
    EventSpaceSetting,
    Rsvp,
    RsvpStatus,
)
from app.events.occurrences import (
    MAX_MOVE,
    Occurrence,
    current_occurrence,
    neighbours,
    occurrence_on,
)
from app.events.recurrence import series_end, slot_for_date
from app.events.rsvp import attended, lock_event, promote_waitlisted, refresh_discussion
from app.events.schemas import MAX_LOCATION, CleanEvent, EventInput, clean_event, parse_local
from app.events.schemas import _Errors as FieldErrors
from app.people.models import User
from app.posts.markdown import mentioned_handles, render_markdown
from app.posts.models import Post
from app.posts.service import create_post
from app.spaces.access import SpaceAccess, require_manage, require_write

ACTIVE = (RsvpStatus.going, RsvpStatus.maybe, RsvpStatus.waitlisted)


def render_description(session: Session, text: str) -> str:
    """Markdown to safe HTML, with @mentions of existing people as links (like posts)."""
    handles = mentioned_handles(text)
    known: set[str] = set()
    if handles:
        known = set(session.exec(select(User.handle).where(col(User.handle).in_(handles))).all())
    return render_markdown(text, known_handles=known)


def _series_end(clean: CleanEvent | Event) -> datetime | None:
    return series_end(
        rule_text=clean.rrule,
        starts_at=clean.starts_at,
        ends_at=clean.ends_at,
        zone_name=clean.timezone,
    )


def create_event(
    session: Session, *, access: SpaceAccess, data: EventInput, now: datetime | None = None
) -> Event:
    """Create an event and its "Meetup: …" discussion post in the space stream."""
    require_create(session, access)
    clean = clean_event(data)
    now = now or utcnow()
    event = Event(
        space_id=access.space.id,  # type: ignore[arg-type]
        created_by_id=access.user.id,
        title=clean.title,
        description=clean.description,
        description_html=render_description(session, clean.description),
        starts_at=clean.starts_at,
        ends_at=clean.ends_at,
        timezone=clean.timezone,
        location=clean.location,
        online_url=clean.online_url,
        capacity=clean.capacity,
        rrule=clean.rrule,
        series_ends_at=_series_end(clean),
        rsvp_deadline=clean.rsvp_deadline,
        checkin_code=secrets.token_urlsafe(18),
        created_at=now,
        updated_at=now,
    )
    session.add(event)
    session.flush()
    occ = current_occurrence(session, event=event, now=now)
    post = create_discussion_post(session, access=access, event=event, occ=occ)
    event.discussion_post_id = post.id
    session.add(event)
    session.flush()
    publish(session, EventSaved(event=event))
    return event


def _local_date(moment: datetime, zone_name: str) -> date:
    return moment.astimezone(ZoneInfo(zone_name)).date()


def _shift_dates(session: Session, event_id: int, days: int) -> None:
    """Move RSVPs, changed occurrences and follow-up marks along when the series moves.

    Rows are moved date by date, furthest first in the direction of travel, so the unique
    keys never collide half-way.
    """
    for model in (Rsvp, EventOccurrence, EventFollowup):
        table = model.__table__  # type: ignore[union-attr]
        found = session.connection().execute(
            select(table.c.occurrence_date).where(table.c.event_id == event_id).distinct()
        )
        for (old,) in sorted(found.all(), reverse=days > 0):
            session.connection().execute(
                update(table)
                .where(table.c.event_id == event_id, table.c.occurrence_date == old)
                .values(occurrence_date=old + timedelta(days=days))
            )


def _people_with_rsvps(
    session: Session, event_id: int, *, since: date, day: date | None = None
) -> list[int]:
    query = select(Rsvp.user_id).where(
        Rsvp.event_id == event_id,
        col(Rsvp.status).in_([s.value for s in ACTIVE]),
        col(Rsvp.occurrence_date) >= since,
    )
    if day is not None:
        query = query.where(Rsvp.occurrence_date == day)
    return sorted(set(session.exec(query).all()))


def _tell(
    session: Session,
    event: Event,
    user_ids: list[int],
    *,
    change: str,
    url: str,
    actor: User,
    params: dict[str, str] | None = None,
) -> None:
    """Publish the change; the people who answered hear of it (app/notifications)."""
    fact = EventChanged(
        event=event,
        by=actor,
        people=tuple(user_ids),
        change=change,
        url=url,
        params=tuple((params or {}).items()),
    )
    publish(session, fact)


def _editable(session: Session, *, user: User, event_id: int) -> EventAccess:
    access = require_organiser(load_event(session, user=user, event_id=event_id))
    if access.space.space.archived_at is not None:
        raise Forbidden("This space is archived")
    return access


def update_event(
    session: Session, *, user: User, event_id: int, data: EventInput, now: datetime | None = None
) -> Event:
    """Change the whole event or series; people who answered hear about new times or places."""
    access = _editable(session, user=user, event_id=event_id)
    clean = clean_event(data)
    now = now or utcnow()
    event = access.event
    lock_event(session, event)
    old_day = _local_date(event.starts_at, event.timezone)
    moved = (event.starts_at, event.ends_at, event.timezone, event.rrule, event.location) != (
        clean.starts_at,
        clean.ends_at,
        clean.timezone,
        clean.rrule,
        clean.location,
    )
    more_places = clean.capacity is None or (
        event.capacity is not None and clean.capacity > event.capacity
    )
    for name in (
        "title",
        "description",
        "starts_at",
        "ends_at",
        "timezone",
        "location",
        "online_url",
        "capacity",
        "rrule",
        "rsvp_deadline",
    ):
        setattr(event, name, getattr(clean, name))
    event.description_html = render_description(session, clean.description)
    event.series_ends_at = _series_end(clean)
    event.sequence += 1
    event.updated_at = now
    session.add(event)
    session.flush()
    shift = (_local_date(clean.starts_at, clean.timezone) - old_day).days
    if shift:
        _shift_dates(session, event.id, shift)  # type: ignore[arg-type]
    if more_places:
        _promote_everywhere(session, event=event, actor=user, now=now)
    if moved:
        _tell(
            session,
            event,
            _people_with_rsvps(session, event.id, since=(now - MAX_MOVE).date()),  # type: ignore[arg-type]
            change="event_changed",
            url=f"/events/{event.id}",
            actor=user,
        )
    refresh_discussion(session, event=event, now=now)
    session.flush()
    publish(session, EventSaved(event=event))
    return event


def _promote_everywhere(session: Session, *, event: Event, actor: User, now: datetime) -> None:
    """After places were added: serve the waitlist of every coming occurrence."""
    days = sorted(
        set(
            session.exec(
                select(col(Rsvp.occurrence_date)).where(
                    Rsvp.event_id == event.id,
                    Rsvp.status == RsvpStatus.waitlisted,
                    col(Rsvp.occurrence_date) >= (now - MAX_MOVE).date(),
                )
            ).all()
        )
    )
    for day in days[:100]:
        occ = occurrence_on(session, event=event, day=day)
        promote_waitlisted(session, event=event, occ=occ, actor_id=actor.id)


def cancel_event(
    session: Session, *, user: User, event_id: int, now: datetime | None = None
) -> Event:
    """Cancel the event (all occurrences); everyone who answered is told. Twice is fine."""
    access = _editable(session, user=user, event_id=event_id)
    event = access.event
    now = now or utcnow()
    lock_event(session, event)
    if event.cancelled_at is not None:
        return event
    event.cancelled_at, event.updated_at = now, now
    event.sequence += 1
    session.add(event)
    session.flush()
    _tell(
        session,
        event,
        _people_with_rsvps(session, event.id, since=(now - timedelta(days=1)).date()),  # type: ignore[arg-type]
        change="event_cancelled",
        url=f"/events/{event.id}",
        actor=user,
    )
    refresh_discussion(session, event=event, now=now)
    session.flush()
    publish(session, EventSaved(event=event))
    return event


def update_occurrence(
    session: Session,
    *,
    user: User,
    event_id: int,
    day: date,
    starts_at: str | datetime | None = None,
    ends_at: str | datetime | None = None,
    location: str | None = None,
    cancelled: bool = False,
    now: datetime | None = None,
) -> Occurrence:
    """Change one occurrence of a series: other times (within three days), place, or cancel it."""
    access = _editable(session, user=user, event_id=event_id)
    event = access.event
    if not event.rrule:
        raise Invalid("This event does not repeat: edit the event itself", field="starts_at")
    now = now or utcnow()
    original = occurrence_on(session, event=event, day=day)
    zone = ZoneInfo(event.timezone)
    errors = FieldErrors()
    new_start = parse_local(starts_at, zone, name="starts_at", errors=errors) if starts_at else None
    new_end = parse_local(ends_at, zone, name="ends_at", errors=errors) if ends_at else None
    planned = slot_for_date(
        rule_text=event.rrule,
        starts_at=event.starts_at,
        ends_at=event.ends_at,
        zone_name=event.timezone,
        day=day,
    )
    assert planned is not None  # occurrence_on answered 404 otherwise
    start = new_start or original.starts_at
    end = new_end or (start + (original.ends_at - original.starts_at))
    if end <= start:
        errors.add("ends_at", "The end must be after the start")
    if abs(start - planned.starts_at) > MAX_MOVE:
        errors.add("starts_at", "One occurrence can move by at most three days; cancel it instead")
    if location is not None and text_problem(location):
        errors.add("location", CONTROL_CHARACTER)
    elif location is not None and len(location.strip()) > MAX_LOCATION:
        errors.add("location", f"The place is too long (at most {MAX_LOCATION} characters)")
    errors.raise_if_any()
    lock_event(session, event)
    override = original.override or EventOccurrence(event_id=event.id, occurrence_date=day)  # type: ignore[arg-type]
    was_cancelled = override.cancelled_at is not None
    moved = (start, end) != (planned.starts_at, planned.ends_at)
    override.starts_at, override.ends_at = (start, end) if moved else (None, None)
    if location is not None:
        override.location = location.strip() if location.strip() != event.location else None
    override.cancelled_at = (override.cancelled_at or now) if cancelled else None
    override.updated_at = now
    session.add(override)
    event.sequence += 1
    event.updated_at = now
    session.add(event)
    session.flush()
    occ = occurrence_on(session, event=event, day=day)
    people = _people_with_rsvps(session, event.id, since=day, day=day)  # type: ignore[arg-type]
    params = {"day": day.isoformat()}
    if cancelled and not was_cancelled:
        message = "event_day_cancelled"
    else:
        message = "event_day_changed"
        # The time as data: each reader's notification words it in their language.
        params.update(
            starts_at=occ.starts_at.isoformat(),
            ends_at=occ.ends_at.isoformat(),
            zone=event.timezone,
        )
    _tell(
        session,
        event,
        people,
        change=message,
        params=params,
        url=f"/events/{event.id}?on={day.isoformat()}",
        actor=user,
    )
    refresh_discussion(session, event=event, now=now)
    session.flush()
    return occ


def set_event_creators(
    session: Session, *, access: SpaceAccess, creators: str
) -> EventSpaceSetting:
    """Hosts decide whether members or only hosts may create events in their space."""
    require_manage(access)
    if creators not in EventCreators.__members__:
        raise Invalid("Choose members or hosts", field="creators")
    setting = session.get(EventSpaceSetting, access.space.id) or EventSpaceSetting(
        space_id=access.space.id  # type: ignore[arg-type]
    )
    setting.creators = EventCreators(creators)
    session.add(setting)
    session.flush()
    return setting


def last_ended_occurrence(session: Session, *, event: Event, now: datetime) -> Occurrence:
    occ = current_occurrence(session, event=event, now=now)
    if occ.ends_at <= now or not event.rrule:
        return occ
    earlier, _later = neighbours(event, occ)
    return occurrence_on(session, event=event, day=earlier) if earlier else occ


def create_recap_post(
    session: Session,
    *,
    user: User,
    event_id: int,
    day: date | None = None,
    now: datetime | None = None,
) -> Post:
    """The organiser's one-click recap: a post in the space, pre-written for them to finish."""
    access = require_organiser(load_event(session, user=user, event_id=event_id))
    require_write(access.space)
    now = now or utcnow()
    event = access.event
    occ = (
        occurrence_on(session, event=event, day=day)
        if day
        else last_ended_occurrence(session, event=event, now=now)
    )
    if occ.starts_at > now:
        raise Invalid("A recap can be written once the event has started", field="day")
    people = attended(session, event_id=event.id, day=occ.occurrence_date)  # type: ignore[arg-type]
    title, body = recap_markdown(event, occ, attended=len(people))
    return create_post(session, access=access.space, title=title, body=body)
