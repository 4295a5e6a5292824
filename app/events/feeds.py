"""Calendar feeds over secret, revocable addresses: a person's own and one per space.

The feed answers for its owner *at request time*: events come only from spaces the owner can
read right now (app.spaces.access.readable_space_ids), so leaving a private space, or being
deactivated, empties the feed of its events at once. A space's own feed follows the space
page's rule: once its owner may not read the space (removed from a private or secret one,
left it, deactivated), the address answers 404 like an unknown one, and so shows nothing of
the space, not even its name.
"""

import base64
import hashlib
import hmac
import secrets
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, or_
from sqlmodel import Session, col, select

from app.access.spaces import with_membership
from app.core.config import get_settings
from app.core.db import utcnow
from app.core.errors import NotFound
from app.core.security import hash_token
from app.events.access import my_events_filter
from app.events.ics import build_calendar
from app.events.models import CalendarToken, Event, EventOccurrence
from app.people.models import User
from app.spaces.access import (
    SpaceAccess,
    readable_space_ids,
    require_read,
)
from app.spaces.models import Membership, Space

FEED_PAST = timedelta(days=90)
FEED_LIMIT = 500


def _derive(salt: str) -> str:
    key = get_settings().secret_key.encode()
    digest = hmac.new(key, f"agora-calendar:{salt}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


def feed_url(token: str) -> str:
    return f"{get_settings().base_url.rstrip('/')}/calendar/{token}.ics"


def _active(session: Session, user: User, space_id: int | None) -> CalendarToken | None:
    query = select(CalendarToken).where(
        CalendarToken.user_id == user.id, col(CalendarToken.revoked_at).is_(None)
    )
    query = query.where(
        col(CalendarToken.space_id).is_(None)
        if space_id is None
        else col(CalendarToken.space_id) == space_id
    )
    return session.exec(query.order_by(col(CalendarToken.id).desc())).first()


def feed_token(session: Session, *, user: User, access: SpaceAccess | None = None) -> str:
    """The person's feed token (personal, or for a space they can read), created on first use."""
    space_id = None
    if access is not None:
        require_read(access)
        space_id = access.space.id
    row = _active(session, user, space_id)
    if row is not None:
        token = _derive(row.salt)
        if hmac.compare_digest(hash_token(token), row.token_hash):
            return token
        # The server secret changed: the old address keeps working until revoked; a new one
        # is needed to show an address at all.
        row.revoked_at = utcnow()
        session.add(row)
    salt = secrets.token_urlsafe(24)
    token = _derive(salt)
    session.add(
        CalendarToken(
            user_id=user.id,  # type: ignore[arg-type]
            space_id=space_id,
            salt=salt,
            token_hash=hash_token(token),
        )
    )
    session.flush()
    return token


def current_feed_url(
    session: Session, *, user: User, access: SpaceAccess | None = None
) -> str | None:
    """The feed address if the person already has one; looking never creates one."""
    row = _active(session, user, access.space.id if access is not None else None)
    if row is None:
        return None
    token = _derive(row.salt)
    return feed_url(token) if hmac.compare_digest(hash_token(token), row.token_hash) else None


def revoke_feed_token(session: Session, *, user: User, space_id: int | None = None) -> None:
    """Stop the current address working; asking again gives a new one."""
    row = _active(session, user, space_id)
    if row is not None:
        row.revoked_at = utcnow()
        session.add(row)
        session.flush()


def feed_owner(session: Session, token: str) -> tuple[CalendarToken, User, Space | None]:
    """Who a feed address belongs to (and its space); 404 when unknown, revoked, its owner
    deactivated, or its space one the owner may not read any more."""
    query = (
        select(CalendarToken, User, Space, Membership)
        .join(User, User.id == CalendarToken.user_id)  # type: ignore[arg-type]
        .outerjoin(Space, Space.id == CalendarToken.space_id)  # type: ignore[arg-type]
    )
    row = session.exec(
        with_membership(query, CalendarToken.user_id).where(
            CalendarToken.token_hash == hash_token(token),
            col(CalendarToken.revoked_at).is_(None),
            User.is_active == True,  # noqa: E712
        )
    ).first()
    if row is None:
        raise NotFound("Unknown calendar address")
    calendar_token, owner, space, membership = row
    if space is not None and not SpaceAccess(space, membership, owner).can_read:
        raise NotFound("Unknown calendar address")
    return calendar_token, owner, space


def event_file(session: Session, *, event: Event) -> bytes:
    """ "Add to calendar": one event, with its changed occurrences, as an .ics file (the page's
    link and the API's answer alike). The caller has checked that the person may read it."""
    overrides = session.exec(
        select(EventOccurrence).where(EventOccurrence.event_id == event.id)
    ).all()
    return build_calendar(
        name=event.title,
        uid=f"event-file-{event.id}",
        events=[event],
        overrides=overrides,
        zone_hint=event.timezone,
    )


def feed_calendar(session: Session, *, token: str, now: datetime | None = None) -> bytes:
    """The iCalendar text for a feed address (three queries whatever its size)."""
    row, owner, space = feed_owner(session, token)
    now = now or utcnow()
    if space is not None:
        readable = col(Event.space_id).in_(readable_space_ids(owner))
        scope: ColumnElement[bool] = readable & (col(Event.space_id) == space.id)
        name = f"{get_settings().site_name}: {space.name}"
    else:
        scope = my_events_filter(owner.id)  # includes the readable rule
        name = f"{get_settings().site_name}: {owner.display_name}"
    events = list(
        session.exec(
            select(Event)
            .where(
                scope,
                or_(
                    col(Event.series_ends_at).is_(None),
                    col(Event.series_ends_at) > now - FEED_PAST,
                ),
            )
            .order_by(col(Event.starts_at).desc(), col(Event.id).desc())
            .limit(FEED_LIMIT)
        ).all()
    )
    series_ids = [e.id for e in events if e.rrule]
    overrides = (
        list(
            session.exec(
                select(EventOccurrence).where(col(EventOccurrence.event_id).in_(series_ids))
            ).all()
        )
        if series_ids
        else []
    )
    events.sort(key=lambda e: (e.starts_at, e.id or 0))
    return build_calendar(
        name=name,
        uid=f"calendar-{row.id}-{'space' if space else 'me'}",
        events=events,
        overrides=overrides,
        zone_hint=owner.time_zone,
    )
