"""Spaces: which spaces a person may list, read, write and moderate (the root of the policy).

Every query that lists or shows space content starts from these filters, so one rule decides
for pages, fragments, streams, search, notifications, feeds and the API alike.
What a person may not see answers 404 (``NotFound``), so its existence does not leak either.
"""

from collections.abc import Collection
from dataclasses import dataclass
from functools import cache
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Connection,
    Integer,
    String,
    and_,
    bindparam,
    or_,
    true,
    union_all,
)
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Session, col, select
from sqlmodel.sql.expression import SelectOfScalar

from app.core.errors import Forbidden, NotFound
from app.people.models import User
from app.spaces.models import (
    AccessGeneration,
    MemberRole,
    Membership,
    MemberState,
    Space,
    Visibility,
)


def active_membership_space_ids(user: User) -> SelectOfScalar[int]:
    return member_space_ids_of(user.id)


def member_space_ids_of(user_id: Any) -> SelectOfScalar[int]:
    """The same rule for a person's id, which may be a bind parameter (statements built once)."""
    return select(Membership.space_id).where(
        Membership.user_id == user_id, Membership.state == MemberState.active
    )


def readable_space_ids(user: User) -> SelectOfScalar[int]:
    """Ids of spaces whose content the person may read: public ones and those they belong to."""
    return readable_space_ids_of(user.id)


def space_readable_by(user_id: Any) -> ColumnElement[bool]:
    """The one read rule, as a WHERE clause on Space: public, or the person is an active member.

    `user_id` is a value, a bind parameter, or a column (then the membership test is correlated
    with the outer query: "who of these people may read this space")."""
    return or_(public_spaces_filter(), col(Space.id).in_(member_space_ids_of(user_id)))


def readable_space_ids_of(user_id: Any) -> SelectOfScalar[int]:
    """readable_space_ids for a person's id or a bind parameter standing for it.

    The same rule as space_readable_by, written as two lists instead of an OR: with the OR the
    database tests every space, once for each use in a statement; the lists read the public
    spaces from their index and the person's memberships from theirs."""
    public: SelectOfScalar[int] = select(col(Space.id).label("space_id")).where(
        public_spaces_filter()
    )
    lists = union_all(public, member_space_ids_of(user_id)).subquery("readable")
    return select(lists.c.space_id)


def readable_spaces_filter(user: User) -> ColumnElement[bool]:
    """A WHERE clause on Space for the spaces the person may read."""
    return space_readable_by(user.id)


def listable_spaces_filter(user: User) -> ColumnElement[bool]:
    """Spaces that may appear in a directory: public and private ones, secret ones only to members.

    A secret space is also listed to someone invited to it or who asked to join (they know of it).
    """
    known = select(Membership.space_id).where(Membership.user_id == user.id)
    return or_(col(Space.visibility) != Visibility.secret, col(Space.id).in_(known))


def with_membership(query: Any, user_id: Any) -> Any:
    """Join the person's membership (or none) in the query's Space, so one query loads what
    SpaceAccess decides from (`user_id` may be a column or a bind parameter)."""
    on_space = and_(col(Membership.space_id) == Space.id, col(Membership.user_id) == user_id)
    return query.outerjoin(Membership, on_space)


def active_members_of(space_id: Any) -> SelectOfScalar[int]:
    """Ids of a space's active members (`space_id` may be a column or a bind parameter)."""
    return select(Membership.user_id).where(
        Membership.space_id == space_id, Membership.state == MemberState.active
    )


def hosts_of(space_id: Any) -> SelectOfScalar[int]:
    """Ids of a space's active hosts."""
    return active_members_of(space_id).where(Membership.role == MemberRole.host)


def readers_of(space: Space, user_id: Any) -> ColumnElement[bool]:
    """A WHERE clause on a person's id column: those who may read this space's content."""
    if space.visibility == Visibility.public:
        return true()
    return col(user_id).in_(active_members_of(space.id))


def memberships_among(
    session: Session, space: Space, user_ids: Collection[int | None]
) -> dict[int, Membership]:
    """These people's memberships of the space, whatever their state, in one query (what a
    host's "add member" picker shows beside each person it finds)."""
    if not user_ids:
        return {}
    query = select(Membership).where(
        col(Membership.space_id) == space.id, col(Membership.user_id).in_(list(user_ids))
    )
    return {m.user_id: m for m in session.exec(query)}


def reader_ids_among(
    session: Session, space: Space, user_ids: Collection[int | None]
) -> set[int | None]:
    """Of these people, those who may read the space (no query for a public space)."""
    if space.visibility == Visibility.public or not user_ids:
        return set(user_ids)
    query = active_members_of(space.id).where(col(Membership.user_id).in_(list(user_ids)))
    return set(session.exec(query).all())


def is_open_to_everyone(space: Space) -> bool:
    """Every signed-in person may read it: the composer's audience line says "everyone"."""
    return space.visibility == Visibility.public


def public_spaces_filter() -> ColumnElement[bool]:
    """A WHERE clause on Space: open to everyone (site-wide announcements and pins)."""
    return col(Space.visibility) == Visibility.public


def moderated_space_ids(user: User) -> SelectOfScalar[int]:
    return select(Membership.space_id).where(
        Membership.user_id == user.id,
        Membership.state == MemberState.active,
        Membership.role == MemberRole.host,
    )


def moderatable_space_ids(user: User) -> SelectOfScalar[int]:
    """Spaces whose flags and health a person works on: hosts theirs, admins those they can read."""
    return readable_space_ids(user) if user.is_admin else moderated_space_ids(user)


@dataclass(frozen=True)
class SpaceAccess:
    """What one person may do in one space, decided from the space and their membership."""

    space: Space
    membership: Membership | None
    user: User

    @property
    def is_member(self) -> bool:
        return self.membership is not None and self.membership.state == MemberState.active

    @property
    def is_host(self) -> bool:
        return (
            self.is_member
            and self.membership is not None
            and (self.membership.role == MemberRole.host)
        )

    @property
    def can_list(self) -> bool:
        return self.space.visibility != Visibility.secret or self.membership is not None

    @property
    def can_read(self) -> bool:
        return self.space.visibility == Visibility.public or self.is_member

    @property
    def can_write(self) -> bool:
        return self.is_member and self.space.archived_at is None

    @property
    def can_moderate(self) -> bool:
        """Hosts moderate their space; admins moderate the spaces whose content they can read."""
        return self.is_host or (self.user.is_admin and self.can_read)

    @property
    def can_manage(self) -> bool:
        """Settings, archive, members: hosts, and admins where they can see the space."""
        return self.is_host or (self.user.is_admin and self.can_list)

    @property
    def pending(self) -> MemberState | None:
        if self.membership is not None and self.membership.state != MemberState.active:
            return self.membership.state
        return None


# Every space page and post page asks these first: built once per process (see app.core.prepared).
_SPACE_ID = bindparam("space_id", type_=Integer)
_USER_ID = bindparam("user_id", type_=Integer)
_SLUG = bindparam("slug", type_=String)


@cache
def _membership_statement() -> Any:
    return select(Membership).where(
        Membership.space_id == _SPACE_ID, Membership.user_id == _USER_ID
    )


@cache
def _by_slug_statement() -> Any:
    return with_membership(select(Space, Membership), _USER_ID).where(Space.slug == _SLUG)


def access_for(session: Session, user: User, space: Space) -> SpaceAccess:
    params = {"space_id": space.id, "user_id": user.id}
    membership = session.execute(_membership_statement(), params).scalars().first()
    return SpaceAccess(space=space, membership=membership, user=user)


def space_access_by_slug(session: Session, user: User, slug: str) -> SpaceAccess:
    """Load a space with the person's membership in one query; 404 unless they may know of it."""
    params = {"slug": slug, "user_id": user.id}
    row = session.execute(_by_slug_statement(), params).first()
    if row is None:
        raise NotFound("Space not found")
    access = SpaceAccess(space=row[0], membership=row[1], user=user)
    if not access.can_list:
        raise NotFound("Space not found")
    return access


def space_access_by_id(session: Session, user: User, space_id: int) -> SpaceAccess:
    space = session.get(Space, space_id)
    if space is None:
        raise NotFound("Space not found")
    access = access_for(session, user, space)
    if not access.can_list:
        raise NotFound("Space not found")
    return access


def load_with_space_access(
    session: Session, *, user: User, model: Any, row_id: int
) -> tuple[Any, SpaceAccess] | None:
    """A row of a space's content (`model` has `id` and `space_id`) with the person's access to
    its space, in one query; None when missing. The caller decides what the access allows."""
    row = session.exec(
        select(model, Space, Membership)
        .join(Space, Space.id == model.space_id)
        .outerjoin(
            Membership,
            and_(Membership.space_id == Space.id, Membership.user_id == user.id),  # type: ignore[arg-type]
        )
        .where(model.id == row_id)
    ).first()
    if row is None:
        return None
    return row[0], SpaceAccess(space=row[1], membership=row[2], user=user)


def require_read(access: SpaceAccess) -> SpaceAccess:
    if not access.can_read:
        raise NotFound("Space not found")
    return access


def require_write(access: SpaceAccess) -> SpaceAccess:
    require_read(access)
    if access.space.archived_at is not None:
        raise Forbidden("This space is archived")
    if not access.can_write:
        raise Forbidden("Join this space to post in it")
    return access


def require_moderate(access: SpaceAccess) -> SpaceAccess:
    require_read(access)
    if not access.can_moderate:
        raise Forbidden("Only hosts of this space may do that")
    return access


def require_manage(access: SpaceAccess) -> SpaceAccess:
    if not access.can_manage:
        raise Forbidden("Only hosts of this space may do that")
    return access


# -- access changes, for connections that stay open (see AccessGeneration) --------------------
def _bump_statement(dialect: str) -> Any:
    # An upsert, so a missing row (a fresh or emptied table) starts the count again.
    maker = pg_insert if dialect == "postgresql" else sqlite_insert
    stmt = maker(AccessGeneration).values(id=1, generation=1)
    return stmt.on_conflict_do_update(
        index_elements=["id"], set_={"generation": AccessGeneration.generation + 1}
    )


_BUMP = {name: _bump_statement(name) for name in ("postgresql", "sqlite")}
_CURRENT_GENERATION = select(col(AccessGeneration.generation)).where(col(AccessGeneration.id) == 1)


def note_access_change(session: Session) -> None:
    """Count a change that may take read access from someone; open connections re-check.

    Call it in the transaction that makes the change, so both commit together."""
    dialect = session.get_bind().dialect.name
    session.execute(_BUMP["postgresql" if dialect == "postgresql" else "sqlite"])


def access_generation(conn: Connection | Session) -> int:
    """The current count of access changes (one primary-key read)."""
    return int(conn.execute(_CURRENT_GENERATION).scalar_one_or_none() or 0)
