"""A notification wakes its person's streams once its transaction commits.

The people told in a transaction are gathered and sent once, as it commits: on PostgreSQL one
NOTIFY inside the transaction (delivered at commit to the listener of every process, this one's
too), elsewhere the in-process hub after the commit. A rollback sends nothing.
"""

from typing import Any

from sqlalchemy import event, text
from sqlmodel import Session

from app.domain_events import NotificationCreated, subscriber
from app.live.hub import CHANNEL, hub

_NOTIFY = text("SELECT pg_notify(:channel, :payload)")
_PENDING = "agora_live_pending"


def _before_commit(session: Any) -> None:
    pending: set[int] = session.info.get(_PENDING, set())
    if pending and session.get_bind().dialect.name == "postgresql":
        payload = ",".join(str(user_id) for user_id in sorted(pending))
        session.execute(_NOTIFY, {"channel": CHANNEL, "payload": payload})
        pending.clear()


def _after_commit(session: Any) -> None:
    pending: set[int] = session.info.pop(_PENDING, set())
    if pending:
        hub.tell(pending)


def _after_rollback(session: Any, *_args: Any) -> None:
    session.info.pop(_PENDING, None)


@subscriber(NotificationCreated)
def wake_streams(session: Session, fact: NotificationCreated) -> None:
    if not event.contains(session, "after_commit", _after_commit):
        event.listen(session, "before_commit", _before_commit)
        event.listen(session, "after_commit", _after_commit)
        event.listen(session, "after_soft_rollback", _after_rollback)
    session.info.setdefault(_PENDING, set()).add(fact.notification.user_id)
