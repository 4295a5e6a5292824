"""Spaces: create, edit, archive; join, leave, request, approve, invite; members and roles."""

import re
import unicodedata
from functools import cache
from typing import Any

from sqlalchemy import Integer, bindparam, delete, func, tuple_
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from app.access.spaces import is_open_to_everyone
from app.core.db import utcnow
from app.core.domain_events import SpaceSaved, publish
from app.core.errors import Conflict, Forbidden, Invalid, NotFound
from app.core.i18n import N_
from app.core.pagination import Cursor, Page
from app.core.prepared import VIEWER
from app.core.rows import fetch, read
from app.core.text import clean_text
from app.people.models import User
from app.people.service import record_audit
from app.spaces.access import (
    SpaceAccess,
    access_for,
    listable_spaces_filter,
    member_space_ids_of,
    note_access_change,
    require_manage,
)
from app.spaces.models import (
    JoinPolicy,
    MemberRole,
    Membership,
    MemberState,
    Space,
    SpaceRow,
    Visibility,
)

NO_NAME = N_("Give the space a name")
# The limits of the page's form and of the API's input (app.api.schemas) alike.
MAX_NAME = 80
MAX_DESCRIPTION = 2000
SLUG_RE = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,58}[a-z0-9])?$")


def slugify(text: str) -> str:
    text = unicodedata.normalize("NFKD", text.replace("ß", "ss")).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:60].strip("-")


def _validate(name: str, description: str, visibility: str, join_policy: str) -> tuple[str, str]:
    name = clean_text(name, field="name", max_length=MAX_NAME, required=True, empty=NO_NAME)
    description = clean_text(description, field="description", max_length=MAX_DESCRIPTION)
    if visibility not in Visibility.__members__:
        raise Invalid("Choose public, private or secret", field="visibility")
    if join_policy not in JoinPolicy.__members__:
        raise Invalid("Choose open, request or invite", field="join_policy")
    if visibility == Visibility.secret and join_policy != JoinPolicy.invite:
        raise Invalid("A secret space can only be joined by invitation", field="join_policy")
    return name, description


def create_space(
    session: Session,
    *,
    creator: User,
    name: str,
    description: str = "",
    visibility: str = "public",
    join_policy: str = "open",
    slug: str | None = None,
) -> Space:
    """Create a space; its creator becomes its first host."""
    name, description = _validate(name, description, visibility, join_policy)
    if slug:
        slug = slug.strip().lower()
        if not SLUG_RE.match(slug):
            raise Invalid("Use lower-case letters, digits and dashes", field="slug")
        if session.exec(select(Space.id).where(Space.slug == slug)).first() is not None:
            raise Invalid("That address is taken", field="slug")
    else:
        base = slugify(name) or "space"
        taken = set(session.exec(select(Space.slug).where(col(Space.slug).startswith(base))).all())
        slug, n = base, 2
        while slug in taken:
            slug, n = f"{base[:55]}-{n}", n + 1
    space = Space(
        slug=slug,
        name=name,
        description=description,
        visibility=Visibility(visibility),
        join_policy=JoinPolicy(join_policy),
        created_by_id=creator.id,
    )
    session.add(space)
    session.flush()
    now = utcnow()
    session.add(
        Membership(
            space_id=space.id,  # type: ignore[arg-type]
            user_id=creator.id,  # type: ignore[arg-type]
            role=MemberRole.host,
            state=MemberState.active,
            joined_at=now,
        )
    )
    session.flush()
    publish(session, SpaceSaved(space=space))
    return space


def update_space(
    session: Session,
    *,
    access: SpaceAccess,
    name: str,
    description: str,
    visibility: str,
    join_policy: str,
) -> Space:
    require_manage(access)
    name, description = _validate(name, description, visibility, join_policy)
    space = access.space
    if space.visibility == Visibility.public and visibility != Visibility.public:
        note_access_change(session)  # people who are not members may no longer read it
    space.name, space.description = name, description
    space.visibility, space.join_policy = Visibility(visibility), JoinPolicy(join_policy)
    session.add(space)
    record_audit(
        session,
        actor=access.user,
        action="space.update",
        target_type="space",
        target_id=space.id,
        space_id=space.id,
    )
    session.flush()
    publish(session, SpaceSaved(space=space))
    return space


def set_archived(session: Session, *, access: SpaceAccess, archived: bool) -> Space:
    require_manage(access)
    space = access.space
    space.archived_at = utcnow() if archived else None
    session.add(space)
    record_audit(
        session,
        actor=access.user,
        action="space.archive" if archived else "space.unarchive",
        target_type="space",
        target_id=space.id,
        space_id=space.id,
    )
    session.flush()
    publish(session, SpaceSaved(space=space))
    return space


def join_space(session: Session, *, access: SpaceAccess) -> Membership:
    """Join an open space, ask to join a request-only one, or accept a pending invitation."""
    space, user, membership = access.space, access.user, access.membership
    if space.archived_at is not None:
        raise Forbidden("This space is archived")
    if membership is not None:
        if membership.state == MemberState.invited:
            membership.state, membership.joined_at = MemberState.active, utcnow()
            session.add(membership)
            session.flush()
        return membership
    if space.join_policy == JoinPolicy.invite or space.visibility == Visibility.secret:
        raise Forbidden("This space can only be joined by invitation")
    membership = Membership(
        space_id=space.id,  # type: ignore[arg-type]
        user_id=user.id,  # type: ignore[arg-type]
        state=MemberState.active if space.join_policy == JoinPolicy.open else MemberState.requested,
        joined_at=utcnow() if space.join_policy == JoinPolicy.open else None,
    )
    try:
        with session.begin_nested():
            session.add(membership)
    except IntegrityError:  # the same person joined at the same moment elsewhere: one is enough
        return session.exec(
            select(Membership).where(Membership.space_id == space.id, Membership.user_id == user.id)
        ).one()
    return membership


def leave_space(session: Session, *, access: SpaceAccess) -> None:
    membership = access.membership
    if membership is None:
        return
    if membership.role == MemberRole.host and membership.state == MemberState.active:
        hosts = session.exec(
            select(func.count()).where(
                Membership.space_id == access.space.id,
                Membership.role == MemberRole.host,
                Membership.state == MemberState.active,
            )
        ).one()
        if hosts <= 1:
            raise Conflict("You are the only host. Make someone else a host before you leave.")
    # A statement, not session.delete(): leaving twice at the same moment deletes the row once,
    # and the second leave finds nothing to do instead of failing on a row already gone.
    session.exec(delete(Membership).where(col(Membership.id) == membership.id))
    if membership in session:
        session.expunge(membership)
    note_access_change(session)
    session.flush()


def add_member(
    session: Session, *, access: SpaceAccess, user: User, role: str = "member", invite: bool = False
) -> Membership:
    """A host adds a person directly (or, with invite, asks them to join); idempotent."""
    require_manage(access)
    if role not in MemberRole.__members__:
        raise Invalid("Choose member or host", field="role")
    if not user.is_active:
        raise Invalid("That account is deactivated", field="email")
    existing = access_for(session, user, access.space).membership
    now = utcnow()
    if existing is None:
        existing = Membership(
            space_id=access.space.id,  # type: ignore[arg-type]
            user_id=user.id,  # type: ignore[arg-type]
            role=MemberRole(role),
            state=MemberState.invited if invite else MemberState.active,
            joined_at=None if invite else now,
        )
    else:
        existing.role = MemberRole(role)
        if existing.state != MemberState.active and not invite:
            existing.state, existing.joined_at = MemberState.active, now
    session.add(existing)
    record_audit(
        session,
        actor=access.user,
        action="space.member_add",
        target_type="user",
        target_id=user.id,
        space_id=access.space.id,
        detail=f"role={role} invite={invite}",
    )
    session.flush()
    return existing


def decide_request(session: Session, *, access: SpaceAccess, user_id: int, approve: bool) -> None:
    require_manage(access)
    membership = session.exec(
        select(Membership).where(
            Membership.space_id == access.space.id,
            Membership.user_id == user_id,
            Membership.state == MemberState.requested,
        )
    ).first()
    if membership is None:
        raise NotFound("No such request")
    if approve:
        membership.state, membership.joined_at = MemberState.active, utcnow()
        session.add(membership)
    else:
        session.delete(membership)
    record_audit(
        session,
        actor=access.user,
        action="space.request_approve" if approve else "space.request_decline",
        target_type="user",
        target_id=user_id,
        space_id=access.space.id,
    )
    session.flush()


def set_role(session: Session, *, access: SpaceAccess, user_id: int, role: str) -> None:
    require_manage(access)
    if role not in MemberRole.__members__:
        raise Invalid("Choose member or host", field="role")
    membership = session.exec(
        select(Membership).where(
            Membership.space_id == access.space.id,
            Membership.user_id == user_id,
            Membership.state == MemberState.active,
        )
    ).first()
    if membership is None:
        raise NotFound("Not a member")
    if membership.role == MemberRole.host and role == MemberRole.member:
        hosts = session.exec(
            select(func.count()).where(
                Membership.space_id == access.space.id,
                Membership.role == MemberRole.host,
                Membership.state == MemberState.active,
            )
        ).one()
        if hosts <= 1:
            raise Conflict("A space needs at least one host")
    membership.role = MemberRole(role)
    session.add(membership)
    record_audit(
        session,
        actor=access.user,
        action="space.set_role",
        target_type="user",
        target_id=user_id,
        space_id=access.space.id,
        detail=f"role={role}",
    )
    session.flush()


def remove_member(session: Session, *, access: SpaceAccess, user_id: int) -> None:
    require_manage(access)
    membership = session.exec(
        select(Membership).where(
            Membership.space_id == access.space.id, Membership.user_id == user_id
        )
    ).first()
    if membership is None:
        raise NotFound("Not a member")
    if membership.role == MemberRole.host and membership.state == MemberState.active:
        hosts = session.exec(
            select(func.count()).where(
                Membership.space_id == access.space.id,
                Membership.role == MemberRole.host,
                Membership.state == MemberState.active,
            )
        ).one()
        if hosts <= 1:
            raise Conflict("A space needs at least one host")
    session.delete(membership)
    note_access_change(session)
    record_audit(
        session,
        actor=access.user,
        action="space.member_remove",
        target_type="user",
        target_id=user_id,
        space_id=access.space.id,
    )
    session.flush()


@cache
def _member_count_statement() -> Any:
    return select(func.count()).where(
        Membership.space_id == bindparam("space_id", type_=Integer),
        Membership.state == MemberState.active,
    )


def member_count_column(space_id: Any) -> Any:
    """member_count as a column of a query that reads the space (`space_id` its column): its own
    memberships, even beside the reader's membership joined in the same query."""
    active = select(func.count()).where(
        Membership.space_id == space_id, Membership.state == MemberState.active
    )
    return active.correlate_except(Membership).scalar_subquery()


def member_count(session: Session, space_id: int | None) -> int:
    """Active members: the audience line of every composer and post page shows it."""
    ((count,),) = read(session, _member_count_statement(), {"space_id": space_id})
    return int(count)


def members(
    session: Session, *, space_id: int, state: MemberState = MemberState.active, limit: int = 200
) -> list[tuple[Membership, User]]:
    rows = session.exec(
        select(Membership, User)
        .join(User, User.id == Membership.user_id)  # type: ignore[arg-type]
        .where(Membership.space_id == space_id, Membership.state == state)
        .order_by(col(Membership.role).desc(), col(User.display_name))
        .limit(limit)
    ).all()
    return [(m, u) for m, u in rows]


def _directory_query(user: User, include_archived: bool) -> Any:
    counts = (
        select(Membership.space_id, func.count().label("n"))
        .where(Membership.state == MemberState.active)
        .group_by(col(Membership.space_id))
        .subquery()
    )
    query = (
        select(Space, Membership, func.coalesce(counts.c.n, 0))
        .outerjoin(Membership, (Membership.space_id == Space.id) & (Membership.user_id == user.id))  # type: ignore[arg-type]
        .outerjoin(counts, counts.c.space_id == Space.id)
        .where(listable_spaces_filter(user))
    )
    if not include_archived:
        query = query.where(Space.archived_at == None)  # noqa: E711
    return query


def directory(
    session: Session, *, user: User, include_archived: bool = False
) -> list[tuple[Space, Membership | None, int]]:
    """Spaces the person may know of, with their membership and the member count."""
    query = _directory_query(user, include_archived).order_by(col(Space.name))
    return [(s, m, int(n)) for s, m, n in session.exec(query).all()]


def directory_page(
    session: Session, *, user: User, cursor: str | None = None, limit: int = 20
) -> Page[tuple[Space, Membership | None, int]]:
    """The directory oldest first, one keyset page at a time (names change, creation does not)."""
    after = Cursor.decode(cursor)
    query = _directory_query(user, include_archived=False)
    if after is not None:
        query = query.where(tuple_(Space.created_at, Space.id) > tuple_(after.at, after.id))
    query = query.order_by(col(Space.created_at), col(Space.id)).limit(limit + 1)
    rows = [(s, m, int(n)) for s, m, n in session.exec(query).all()]
    next_cursor = None
    if len(rows) > limit:
        rows = rows[:limit]
        last = rows[-1][0]
        next_cursor = Cursor(last.created_at, last.id).encode()
    return Page(items=rows, next_cursor=next_cursor)


def my_spaces(session: Session, *, user: User) -> list[tuple[SpaceRow, int]]:
    """The spaces the person is an active member of (archived ones left out), with member counts.

    Counts only these spaces' memberships: the home page shows this on every visit, and counting
    every space's members there grew with the whole site.
    """
    rows = fetch(session, _my_spaces_statement(), {"viewer_id": user.id}, (SpaceRow,))
    return [(space, int(n)) for space, n in rows]


@cache
def _my_spaces_statement() -> Any:
    counts = (
        select(Membership.space_id, func.count().label("n"))
        .where(
            col(Membership.space_id).in_(member_space_ids_of(VIEWER)),
            Membership.state == MemberState.active,
        )
        .group_by(col(Membership.space_id))
        .subquery()
    )
    shown = [*SpaceRow.columns(), counts.c.n]
    return (
        select(*shown)
        .join(counts, counts.c.space_id == Space.id)
        .where(col(Space.archived_at).is_(None))
        .order_by(col(Space.name))
    )


def audience_line_parts(space: Space, count: int) -> tuple[str, int]:
    """What the composer says about who will read: everyone, or the n members of the space."""
    return ("everyone" if is_open_to_everyone(space) else "members", count)
