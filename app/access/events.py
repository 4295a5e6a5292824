"""Who may see and do what with an event; every rule starts from the space access policy."""

from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, or_
from sqlmodel import Session, col, select

from app.access.spaces import (
    SpaceAccess,
    member_space_ids_of,
    readable_space_ids_of,
    require_moderate,
    require_write,
    with_membership,
)
from app.core.errors import Forbidden, NotFound
from app.events.models import Event, EventCreators, EventSpaceSetting, Rsvp, RsvpStatus
from app.people.models import User
from app.spaces.models import Membership, Space


@dataclass(frozen=True)
class EventAccess:
    event: Event
    space: SpaceAccess

    @property
    def can_read(self) -> bool:
        return self.space.can_read

    @property
    def can_rsvp(self) -> bool:
        """Anyone who can read the space may come; an archived space takes no more sign-ups."""
        return self.space.can_read and self.space.space.archived_at is None

    @property
    def is_organiser(self) -> bool:
        """The event's creator while still a writing member, and the space's moderators."""
        creator = self.event.created_by_id == self.space.user.id and self.space.can_write
        return creator or self.space.can_moderate


def load_event(session: Session, *, user: User, event_id: int, lock: bool = False) -> EventAccess:
    """An event the person may read, with their access to its space, in one query; 404 otherwise.

    With `lock`, on PostgreSQL the same query locks the event's row (FOR UPDATE OF events) and
    reloads it, as app.events.rsvp.lock_event would in a round trip of its own."""
    query = select(Event, Space, Membership).join(Space, col(Space.id) == Event.space_id)
    query = with_membership(query, user.id).where(Event.id == event_id)
    if lock and session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update(of=Event).execution_options(populate_existing=True)
    row = session.exec(query).first()
    if row is None:
        raise NotFound("Event not found")
    access = EventAccess(
        event=row[0], space=SpaceAccess(space=row[1], membership=row[2], user=user)
    )
    if not access.can_read:
        raise NotFound("Event not found")
    return access


def require_organiser(access: EventAccess) -> EventAccess:
    if not access.is_organiser:
        raise Forbidden("Only the organiser and the hosts of this space may do that")
    return access


def event_creators(session: Session, space_id: int) -> EventCreators:
    setting = session.get(EventSpaceSetting, space_id)
    return setting.creators if setting is not None else EventCreators.members


def require_create(session: Session, access: SpaceAccess) -> SpaceAccess:
    """Members may create events unless the space keeps that to its hosts."""
    require_write(access)
    if event_creators(session, access.space.id) == EventCreators.hosts:  # type: ignore[arg-type]
        require_moderate(access)
    return access


def may_create(session: Session, access: SpaceAccess) -> bool:
    try:
        require_create(session, access)
    except (Forbidden, NotFound):
        return False
    return True


def my_events_filter(user_id: Any) -> ColumnElement[bool]:
    """Events in my spaces, and events I am going to in any space I can still read (for the home
    page and the personal calendar feed; `user_id` may be a bind parameter)."""
    going = select(Rsvp.event_id).where(Rsvp.user_id == user_id, Rsvp.status == RsvpStatus.going)
    return col(Event.space_id).in_(readable_space_ids_of(user_id)) & or_(
        col(Event.space_id).in_(member_space_ids_of(user_id)),
        col(Event.id).in_(going),
    )
