"""Notifications: created by other domains' services, listed through the access policy."""

from sqlalchemy import func, or_, update
from sqlmodel import Session, col, select

from app.db import utcnow
from app.notifications.models import Notification
from app.pagination import Cursor, Page
from app.people.models import User
from app.spaces.access import readable_space_ids


def notify(
    session: Session,
    *,
    user_id: int,
    kind: str,
    text: str,
    url: str,
    actor_id: int | None = None,
    space_id: int | None = None,
    post_id: int | None = None,
    comment_id: int | None = None,
) -> None:
    if actor_id is not None and actor_id == user_id:
        return
    session.add(
        Notification(
            user_id=user_id,
            kind=kind,
            text=text[:300],
            url=url[:300],
            actor_id=actor_id,
            space_id=space_id,
            post_id=post_id,
            comment_id=comment_id,
        )
    )


def _visible(user: User):
    # A notification about a space's content shows only while the person can still read it.
    return (col(Notification.user_id) == user.id) & or_(
        col(Notification.space_id).is_(None),
        col(Notification.space_id).in_(readable_space_ids(user)),
    )


def unread_count(session: Session, *, user: User) -> int:
    return session.exec(
        select(func.count()).where(_visible(user), col(Notification.read_at).is_(None))
    ).one()


def list_notifications(
    session: Session, *, user: User, cursor: str | None = None, limit: int = 30
) -> Page[tuple[Notification, User | None]]:
    after = Cursor.decode(cursor)
    query = (
        select(Notification, User)
        .outerjoin(User, User.id == Notification.actor_id)  # type: ignore[arg-type]
        .where(_visible(user))
        .order_by(col(Notification.created_at).desc(), col(Notification.id).desc())
        .limit(limit + 1)
    )
    if after is not None:
        query = query.where(
            or_(
                col(Notification.created_at) < after.at,
                (col(Notification.created_at) == after.at) & (col(Notification.id) < after.id),
            )
        )
    rows: list[tuple[Notification, User | None]] = [(n, u) for n, u in session.exec(query).all()]
    next_cursor = None
    if len(rows) > limit:
        rows = rows[:limit]
        last = rows[-1][0]
        next_cursor = Cursor(last.created_at, last.id).encode()  # type: ignore[arg-type]
    return Page(items=rows, next_cursor=next_cursor)


def mark_all_read(session: Session, *, user: User) -> None:
    session.exec(
        update(Notification)
        .where(col(Notification.user_id) == user.id, col(Notification.read_at).is_(None))
        .values(read_at=utcnow())
    )
