"""Protocols: who may open and who may edit one, decided through the space access policy.

The live sync asks the same in SQL (WRITERS_STATEMENT, READERS_STATEMENT), from the same parts."""

from collections.abc import Collection

from sqlalchemy import ColumnElement, bindparam
from sqlmodel import Session, col, select

from app.access.spaces import (
    SpaceAccess,
    access_for,
    readable_space_ids,
    require_write,
    space_readable_by,
)
from app.core.errors import Forbidden, NotFound
from app.people.models import User
from app.protocols.models import Protocol
from app.spaces.models import Membership, MemberState, Space


def readable_protocols_filter(user: User) -> ColumnElement[bool]:
    """WHERE clause on Protocol: protocols in spaces the person may read."""
    return col(Protocol.space_id).in_(readable_space_ids(user))


def protocol_access(session: Session, user: User, protocol_id: int) -> tuple[Protocol, SpaceAccess]:
    """A protocol the person may read, with their access to its space; 404 otherwise."""
    protocol = session.get(Protocol, protocol_id)
    if protocol is None:
        raise NotFound("Protocol not found")
    space = session.get(Space, protocol.space_id)
    if space is None:
        raise NotFound("Protocol not found")
    access = access_for(session, user, space)
    if not access.can_read:
        raise NotFound("Protocol not found")
    return protocol, access


def is_open(protocol: Protocol, space: Space) -> bool:
    """Open for changes: neither locked nor archived, in a space that is not archived."""
    return protocol.locked_at is None and protocol.archived_at is None and space.archived_at is None


def open_protocols_filter() -> tuple[ColumnElement[bool], ...]:
    """is_open in SQL, on Protocol joined to its Space."""
    return (
        col(Protocol.locked_at).is_(None),
        col(Protocol.archived_at).is_(None),
        col(Space.archived_at).is_(None),
    )


def can_edit(protocol: Protocol, access: SpaceAccess) -> bool:
    """Writing members edit an open protocol."""
    return access.can_write and is_open(protocol, access.space)


def require_edit(protocol: Protocol, access: SpaceAccess) -> None:
    """can_edit, or the reason why not (403; 404 when the space is not readable)."""
    require_write(access)
    if protocol.locked_at is not None:
        raise Forbidden("This protocol is locked")
    if protocol.archived_at is not None:
        raise Forbidden("This protocol is archived")


# Who of :user_ids may change protocol :protocol_id's document right now. The live sync asks
# this for every batch of incoming updates, so a person removed from the space, or a protocol
# locked meanwhile, stops edits at once. Built once: building costs more than running it.
WRITERS_STATEMENT = (
    select(col(Membership.user_id))
    .join(Protocol, col(Protocol.space_id) == col(Membership.space_id))
    .join(Space, col(Space.id) == col(Protocol.space_id))
    .where(
        col(Protocol.id) == bindparam("protocol_id"),
        *open_protocols_filter(),
        col(Membership.state) == MemberState.active.value,
        col(Membership.user_id).in_(bindparam("user_ids", expanding=True)),
    )
)


# Who of :user_ids may still read protocol :protocol_id (active accounts only). Live rooms ask
# it whenever the access generation moved, before they send anything more. The read rule is the
# policy's own (space_readable_by), applied to each person. Built once.
READERS_STATEMENT = (
    select(col(User.id))
    .join(Protocol, col(Protocol.id) == bindparam("protocol_id"))
    .join(Space, col(Space.id) == col(Protocol.space_id))
    .where(
        col(User.id).in_(bindparam("user_ids", expanding=True)),
        col(User.is_active) == True,  # noqa: E712
        space_readable_by(col(User.id)),
    )
)


def reader_ids(session: Session, protocol_id: int, user_ids: Collection[int]) -> set[int]:
    """Of these people, those who may still read the protocol (active accounts only)."""
    if not user_ids:
        return set()
    params = {"protocol_id": protocol_id, "user_ids": list(user_ids)}
    return {int(r) for r in session.execute(READERS_STATEMENT, params).scalars()}
