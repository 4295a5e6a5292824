"""Newcomers land somewhere: the spaces everyone joins, the welcome owed at first sign-in, and
the spaces a newcomer is offered on the welcome page."""

from typing import Any

from sqlalchemy import func
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from app.core.db import utcnow
from app.core.errors import Invalid, NotFound
from app.people.models import AuditEntry, User
from app.spaces.access import listable_spaces_filter
from app.spaces.models import JoinPolicy, Membership, MemberState, Space, Visibility

SUGGESTED_SPACES = 3


def welcome_newcomer(session: Session, *, user: User) -> list[Space]:
    """Make a new person a member of every space everyone joins, and owe them the welcome page
    at their next sign-in; idempotent. Account creation (CLI, invitation) and single sign-on's
    first sign-in call it. Returns the spaces joined now."""
    spaces = session.exec(
        select(Space).where(
            col(Space.everyone_joins).is_(True),
            col(Space.archived_at).is_(None),
            # Never a way into a secret space, even if the flag was set before it became one.
            col(Space.visibility) != Visibility.secret,
        )
    ).all()
    known = dict(
        session.exec(
            select(Membership.space_id, Membership).where(Membership.user_id == user.id)
        ).all()
    )
    joined: list[Space] = []
    now = utcnow()
    for space in spaces:
        membership = known.get(space.id)  # type: ignore[arg-type]
        if membership is not None:
            if membership.state != MemberState.active:  # invited or asked: let them in
                membership.state, membership.joined_at = MemberState.active, now
                session.add(membership)
                joined.append(space)
            continue
        try:
            with session.begin_nested():  # the same person welcomed twice at once: once is enough
                session.add(
                    Membership(
                        space_id=space.id,  # type: ignore[arg-type]
                        user_id=user.id,  # type: ignore[arg-type]
                        state=MemberState.active,
                        joined_at=now,
                    )
                )
        except IntegrityError:
            continue
        joined.append(space)
    user.welcome_pending = True
    session.add(user)
    session.flush()
    return joined


def take_first_sign_in(session: Session, *, user: User) -> bool:
    """True once, at the first sign-in after welcome_newcomer: the welcome page is due."""
    if not user.welcome_pending:
        return False
    user.welcome_pending = False
    session.add(user)
    session.flush()
    return True


def _member_counts() -> Any:
    return (
        select(Membership.space_id, func.count().label("n"))
        .where(Membership.state == MemberState.active)
        .group_by(col(Membership.space_id))
        .subquery()
    )


def spaces_everyone_may_join(session: Session, *, admin: User) -> list[tuple[Space, int]]:
    """The spaces an administrator may offer to everyone (never a secret one: an administrator
    who is not a member does not even know of it), with their member counts."""
    counts = _member_counts()
    rows = session.exec(
        select(Space, func.coalesce(counts.c.n, 0))
        .outerjoin(counts, counts.c.space_id == Space.id)
        .where(
            listable_spaces_filter(admin),
            col(Space.visibility) != Visibility.secret,
            col(Space.archived_at).is_(None),
        )
        .order_by(col(Space.name))
        .limit(500)
    ).all()
    return [(space, int(n)) for space, n in rows]


def set_everyone_joins(session: Session, *, admin: User, space_id: int, on: bool) -> Space:
    """Choose whether newcomers join a space; answers 404 for a space the admin cannot list."""
    space = session.exec(
        select(Space).where(Space.id == space_id, listable_spaces_filter(admin))
    ).first()
    if space is None or space.archived_at is not None:
        raise NotFound("Space not found")
    if on and space.visibility == Visibility.secret:
        raise Invalid("A secret space cannot be one that everyone joins", field="everyone_joins")
    space.everyone_joins = on
    session.add(space)
    session.add(
        AuditEntry(
            actor_id=admin.id,
            action="space.everyone_joins" if on else "space.everyone_joins_off",
            target_type="space",
            target_id=space.id,
            space_id=space.id,
        )
    )
    session.flush()
    return space


def suggested_spaces(
    session: Session, *, user: User, limit: int = SUGGESTED_SPACES
) -> list[tuple[Space, int]]:
    """Open public spaces the person is not in yet, the liveliest first (by members)."""
    counts = _member_counts()
    mine = select(Membership.space_id).where(
        Membership.user_id == user.id, Membership.state == MemberState.active
    )
    rows = session.exec(
        select(Space, func.coalesce(counts.c.n, 0).label("members"))
        .outerjoin(counts, counts.c.space_id == Space.id)
        .where(
            col(Space.visibility) == Visibility.public,
            col(Space.join_policy) == JoinPolicy.open,
            col(Space.archived_at).is_(None),
            col(Space.id).not_in(mine),
        )
        .order_by(func.coalesce(counts.c.n, 0).desc(), col(Space.name))
        .limit(limit)
    ).all()
    return [(space, int(n)) for space, n in rows]
