"""Notifications: created by other domains' services, listed through the access policy."""

from sqlalchemy import func, or_, update
from sqlmodel import Session, col, select

from app.db import utcnow
from app.i18n import N_, gettext
from app.notifications.models import Notification
from app.pagination import Cursor, Page
from app.people.models import User
from app.posts.models import Post
from app.spaces.access import readable_space_ids

# The stored text is English (for the API and exports); the list page words these kinds anew
# in the reader's language: mentions and comments from the actor's name and the post's title,
# the others from the parameters stored with them.
MESSAGES = {
    "mention": N_("%(name)s mentioned you in “%(title)s”"),
    "comment": N_("%(name)s commented on “%(title)s”"),
    "action_item": N_("Action item for you in “%(title)s”: %(item)s"),
}


def message_text(kind: str, **params: str) -> str:
    """The English text a notification of a known kind is stored with."""
    return MESSAGES[kind] % params


def shown_text(notification: Notification, actor: User | None, post_title: str | None) -> str:
    """What the reader sees, in their language; without what to word it from, the stored text."""
    message = MESSAGES.get(notification.kind)
    if message is None:
        return notification.text
    if notification.params:
        try:
            return gettext(message, **notification.params)
        except (KeyError, TypeError, ValueError):  # stored by an older wording
            return notification.text
    if actor is None or post_title is None:
        return notification.text
    return gettext(message, name=actor.display_name, title=post_title)


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
    params: dict[str, str] | None = None,
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
            params=params,
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
) -> Page[tuple[Notification, User | None, str]]:
    """Newest first, each with its actor and the text to show in the reader's language."""
    after = Cursor.decode(cursor)
    query = (
        select(Notification, User, Post.title)
        .outerjoin(User, User.id == Notification.actor_id)  # type: ignore[arg-type]
        .outerjoin(Post, Post.id == Notification.post_id)  # type: ignore[arg-type]
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
    rows: list[tuple[Notification, User | None, str]] = [
        (n, u, shown_text(n, u, title)) for n, u, title in session.exec(query).all()
    ]
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
