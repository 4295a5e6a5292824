"""Notifications: a sink. Created from other domains' facts (subscribers.py), worded by the
domain that causes them (its messages.py), listed through the access policy."""

from collections.abc import Mapping
from datetime import date, datetime
from functools import cache
from typing import Any

from sqlalchemy import String, cast, delete, func, or_, update
from sqlmodel import Session, col, select

from app.access.notifications import notifications_shown_to
from app.core.db import utcnow
from app.core.domain_events import NotificationCreated, publish
from app.core.i18n import get_locale, gettext
from app.core.pagination import Cursor, Page
from app.core.prepared import VIEWER
from app.events import messages as events_messages
from app.events.text import day_text, when_text
from app.moderation import messages as moderation_messages
from app.notifications.models import Notification
from app.people.erasure import name_terms
from app.people.models import User
from app.posts import messages as posts_messages
from app.posts.models import Post
from app.prompts import messages as prompts_messages
from app.protocols import messages as protocols_messages
from app.recognition import messages as recognition_messages
from app.recognition.messages import KUDOS_QUOTE
from app.recognition.models import Kudos
from app.showcase import messages as showcase_messages


# Each domain words the notifications it causes (its `messages.py`); this is their catalogue.
# The stored text is English (for the API and exports); the list page words these messages
# anew in the reader's language: mentions and comments from the actor's name and the post's
# title, kudos from the giver's name and their own words (which stay as written), the others
# from the parameters stored with them (names, titles and notes stay as written). A kind with
# several wordings stores which one in its parameters ("message").
def _catalogue(*parts: Mapping[str, str]) -> dict[str, str]:
    messages: dict[str, str] = {}
    for part in parts:
        if clash := messages.keys() & part.keys():  # a kind worded twice would be ambiguous
            raise RuntimeError(f"notification messages defined twice: {sorted(clash)}")
        messages.update(part)
    return messages


MESSAGES = _catalogue(
    posts_messages.NOTIFICATIONS,
    moderation_messages.NOTIFICATIONS,
    prompts_messages.NOTIFICATIONS,
    showcase_messages.NOTIFICATIONS,
    events_messages.NOTIFICATIONS,
    protocols_messages.NOTIFICATIONS,
    recognition_messages.NOTIFICATIONS,
)


def _worded(params: dict[str, str], locale: str) -> dict[str, str]:
    """Parameters stored as data, worded in `locale`: a day of a series (`day`, ISO date) and an
    occurrence's time (`starts_at`, `ends_at` and `zone` become `when`). Notifications stored
    before this kept their time already worded, in `when`."""
    worded = dict(params)
    try:
        if "day" in worded:
            worded["day"] = day_text(date.fromisoformat(worded["day"]), locale)
        if "when" not in worded and {"starts_at", "ends_at", "zone"} <= worded.keys():
            starts_at = datetime.fromisoformat(worded["starts_at"])
            ends_at = datetime.fromisoformat(worded["ends_at"])
            worded["when"] = when_text(starts_at, ends_at, worded["zone"], locale)
    except (ValueError, KeyError):  # not data after all: shown as stored
        return dict(params)
    return worded


def message_text(message: str, **params: str) -> str:
    """The English text a notification with this message is stored with."""
    return MESSAGES[message] % _worded(params, "en")


def kudos_text(name: str, message: str) -> str:
    return message_text("kudos", name=name, quote=message[:KUDOS_QUOTE])


def shown_text(notification: Notification, actor: User | None, subject: str | None) -> str:
    """What the reader sees, in their language; without what to word it from (the actor with
    the post's title or the kudos' message, or stored parameters), the stored text."""
    params = dict(notification.params or {})
    message = MESSAGES.get(params.pop("message", notification.kind))
    if message is None:
        return notification.text
    if params:
        try:
            return gettext(message, **_worded(params, get_locale()))
        except (KeyError, TypeError, ValueError):  # stored by an older wording
            return notification.text
    if actor is None or subject is None:
        return notification.text
    if notification.kind == "kudos":
        subject = subject[:KUDOS_QUOTE]
    return gettext(message, name=actor.display_name, title=subject, quote=subject)


def notify(
    session: Session,
    *,
    user_id: int,
    kind: str,
    url: str,
    text: str | None = None,
    message: str | None = None,
    actor_id: int | None = None,
    space_id: int | None = None,
    post_id: int | None = None,
    comment_id: int | None = None,
    kudos_id: int | None = None,
    params: dict[str, str] | None = None,
) -> None:
    """Tell a person something: a fixed `text`, or a `message` of MESSAGES with its `params`,
    stored in English and shown in each reader's language."""
    if actor_id is not None and actor_id == user_id:
        return
    if message is not None:
        params = dict(params or {})
        text = message_text(message, **params)
        if message != kind:
            params["message"] = message
    if text is None:
        raise ValueError("a notification needs a text or a message")
    notification = Notification(
        user_id=user_id,
        kind=kind,
        text=text[:300],
        url=url[:300],
        actor_id=actor_id,
        space_id=space_id,
        post_id=post_id,
        comment_id=comment_id,
        kudos_id=kudos_id,
        params=params,
    )
    session.add(notification)
    publish(session, NotificationCreated(notification))


def _visible(user: User):
    return _visible_to(user.id)


def _visible_to(user_id: Any):
    return notifications_shown_to(user_id)


@cache
def _unread_statement() -> Any:
    # Every page's header asks: built once, run with the reader as a parameter.
    return select(func.count()).where(_visible_to(VIEWER), col(Notification.read_at).is_(None))


def unread_count(session: Session, *, user: User) -> int:
    return int(session.execute(_unread_statement(), {"viewer_id": user.id}).scalar_one())


def _with_their_wording() -> Any:
    """Notifications with what their text is worded from: the actor, the post's title or the
    kudos' message."""
    return (
        select(Notification, User, func.coalesce(Post.title, Kudos.message))
        .outerjoin(User, User.id == Notification.actor_id)  # type: ignore[arg-type]
        .outerjoin(Post, Post.id == Notification.post_id)  # type: ignore[arg-type]
        .outerjoin(Kudos, Kudos.id == Notification.kudos_id)  # type: ignore[arg-type]
    )


def list_notifications(
    session: Session, *, user: User, cursor: str | None = None, limit: int = 30
) -> Page[tuple[Notification, User | None, str]]:
    """Newest first, each with its actor and the text to show in the reader's language."""
    after = Cursor.decode(cursor)
    query = (
        _with_their_wording()
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
        (n, u, shown_text(n, u, subject)) for n, u, subject in session.exec(query).all()
    ]
    next_cursor = None
    if len(rows) > limit:
        rows = rows[:limit]
        last = rows[-1][0]
        next_cursor = Cursor(last.created_at, last.id).encode()  # type: ignore[arg-type]
    return Page(items=rows, next_cursor=next_cursor)


def unread_since(
    session: Session, *, user: User, since: datetime, kinds: set[str], limit: int = 20
) -> list[tuple[Notification, str]]:
    """Unread notifications of these kinds after `since` that the person may still see, oldest
    first, each with its text in the current language (a digest's "for you" part)."""
    rows = session.exec(
        _with_their_wording()
        .where(
            _visible(user),
            col(Notification.read_at).is_(None),
            col(Notification.created_at) > since,
            col(Notification.kind).in_(kinds),
        )
        .order_by(col(Notification.created_at), col(Notification.id))
        .limit(limit)
    ).all()
    return [(n, shown_text(n, u, subject)) for n, u, subject in rows]


def latest_id(session: Session, *, user_id: int) -> int:
    """The newest notification's id of a person (0 without any): where a fresh stream begins."""
    found = session.exec(
        select(func.max(Notification.id)).where(col(Notification.user_id) == user_id)
    ).one()
    return int(found or 0)


def notifications_after(
    session: Session, *, user_id: int, after_id: int, since: datetime, limit: int = 50
) -> list[tuple[Notification, str]]:
    """A person's notifications newer than `after_id` (and `since`) that they may still see,
    oldest first, each with its text in the current language (the live stream)."""
    rows = session.exec(
        _with_their_wording()
        .where(
            _visible_to(user_id),
            col(Notification.id) > after_id,
            col(Notification.created_at) > since,
        )
        .order_by(col(Notification.id))
        .limit(limit)
    ).all()
    return [(n, shown_text(n, u, subject)) for n, u, subject in rows]


def mark_all_read(session: Session, *, user: User) -> None:
    session.exec(
        update(Notification)
        .where(col(Notification.user_id) == user.id, col(Notification.read_at).is_(None))
        .values(read_at=utcnow())
    )


def forget_person(session: Session, user: User) -> None:
    """Delete every notification that was caused by the person or names them."""
    session.execute(
        delete(Notification).where(
            or_(
                col(Notification.actor_id) == user.id,
                *(
                    func.lower(column).contains(name.lower(), autoescape=True)
                    for name in name_terms(user)
                    for column in (Notification.text, cast(Notification.params, String))
                ),
            )
        )
    )
