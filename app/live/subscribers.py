"""Changes wake the streams that follow them, once their transaction commits.

The topics touched in a transaction (see hub.py) are gathered and sent once, as it commits: on
PostgreSQL one NOTIFY inside the transaction (delivered at commit to the listener of every
process, this one's too); on SQLite a row in live_notices (for the other processes) and the
in-process hub after the commit. A rollback sends nothing.
"""

import random
from collections.abc import Callable
from typing import Any

from sqlalchemy import delete, event, func, insert, select, text
from sqlmodel import Session, col

from app.core.db import utcnow
from app.core.domain_events import (
    CheckedIn,
    CommentCreated,
    CommentDeleted,
    CommentEdited,
    DomainEvent,
    EventSaved,
    FlagRaised,
    NotificationCreated,
    PollAnswered,
    PostCreated,
    RsvpChanged,
    ScheduledPostPublished,
    WaitlistPromoted,
    subscriber,
)
from app.live.hub import CHANNEL, KEEP_NOTICES, ORIGIN, hub
from app.live.models import LiveNotice

_NOTIFY = text("SELECT pg_notify(:channel, :payload)")
_PENDING = "agora_live_pending"
# One commit in this many prunes the notices table to its newest KEEP_NOTICES rows.
_PRUNE_ONE_IN = 50


def _prune(session: Any) -> None:
    newest = session.execute(select(func.max(col(LiveNotice.id)))).scalar()
    if newest is not None and newest > KEEP_NOTICES:
        session.execute(delete(LiveNotice).where(col(LiveNotice.id) <= newest - KEEP_NOTICES))


def _before_commit(session: Any) -> None:
    pending: set[str] = session.info.get(_PENDING, set())
    if not pending:
        return
    payload = ",".join(sorted(pending))
    if session.get_bind().dialect.name == "postgresql":
        session.execute(_NOTIFY, {"channel": CHANNEL, "payload": payload})
        pending.clear()  # this process hears its own NOTIFY
        return
    row = {"topics": payload[:2000], "origin": ORIGIN, "created_at": utcnow()}
    session.execute(insert(LiveNotice).values(**row))
    if random.randrange(_PRUNE_ONE_IN) == 0:
        _prune(session)


def _after_commit(session: Any) -> None:
    pending: set[str] = session.info.pop(_PENDING, set())
    if pending:
        hub.tell(pending)


def _after_rollback(session: Any, *_args: Any) -> None:
    session.info.pop(_PENDING, None)


def notice(session: Session, *topics: str) -> None:
    """Wake the streams following `topics` once this transaction commits."""
    if not event.contains(session, "after_commit", _after_commit):
        event.listen(session, "before_commit", _before_commit)
        event.listen(session, "after_commit", _after_commit)
        event.listen(session, "after_soft_rollback", _after_rollback)
    session.info.setdefault(_PENDING, set()).update(topics)


@subscriber(NotificationCreated)
def wake_person(session: Session, fact: NotificationCreated) -> None:
    notice(session, f"user:{fact.notification.user_id}")


def _space(fact: PostCreated | ScheduledPostPublished) -> str | None:
    # A scheduled post wakes the streams when it goes live, not when it is written.
    return f"space:{fact.post.space_id}" if fact.post.published_at <= utcnow() else None


# The topic each fact touches (None: none this time).
TOPICS: dict[type[DomainEvent], Callable[[Any], str | None]] = {
    CommentCreated: lambda fact: f"post:{fact.post.id}",
    # Open pages show an edit in place and take a deleted comment away (app/posts/routes.py).
    CommentEdited: lambda fact: f"post:{fact.post.id}",
    CommentDeleted: lambda fact: f"post:{fact.post.id}",
    PostCreated: _space,
    ScheduledPostPublished: _space,
    # An event's going / waitlist counts.
    RsvpChanged: lambda fact: f"event:{fact.event.id}",
    WaitlistPromoted: lambda fact: f"event:{fact.event.id}",
    CheckedIn: lambda fact: f"event:{fact.event.id}",
    EventSaved: lambda fact: f"event:{fact.event.id}",
    # The review queues of the space's moderators.
    FlagRaised: lambda fact: f"flags:{fact.post.space_id}",
    PollAnswered: lambda fact: f"poll:{fact.poll_id}",
}


def wake_followers(session: Session, fact: DomainEvent) -> None:
    topic = TOPICS[type(fact)](fact)
    if topic is not None:
        notice(session, topic)


for _fact_type in TOPICS:
    subscriber(_fact_type)(wake_followers)
