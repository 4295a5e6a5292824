"""The scheduled posts job, run every few seconds by `agora serve`, `agora worker` or
`agora jobs run-once`.

Idempotent and safe when several processes run it at once: work is claimed with an UPDATE
whose WHERE clause only matches unclaimed rows, in the same transaction as its effects.
A process that dies before committing leaves the claim for the next run, and a run after downtime
catches up on everything that fell due meanwhile.
"""

from datetime import datetime

from sqlalchemy import update
from sqlmodel import Session, col, select

from app.core.db import utcnow
from app.core.domain_events import ScheduledPostPublished, publish
from app.posts.models import Post
from app.posts.service import announce_post

BATCH = 200


def _claim_due_posts(session: Session, now: datetime) -> list[int]:
    """Mark due, unannounced posts as announced and return their ids, in one statement."""
    due = (
        select(Post.id)
        .where(col(Post.announced_at).is_(None), col(Post.published_at) <= now)
        .order_by(col(Post.published_at), col(Post.id))
        .limit(BATCH)
    )
    result = session.exec(
        update(Post)
        # Repeated on the row itself: a process that waited on another's row lock re-checks it.
        .where(col(Post.id).in_(due.scalar_subquery()), col(Post.announced_at).is_(None))
        .values(announced_at=now)
        .returning(col(Post.id))
    )
    return [row[0] for row in result.all()]


def publish_scheduled_posts(session: Session) -> int:
    """Announce every scheduled post whose time has come: mentions, and a note to its author."""
    total = 0
    while True:
        ids = _claim_due_posts(session, utcnow())
        if not ids:
            return total
        posts = session.exec(
            select(Post).where(col(Post.id).in_(ids), col(Post.deleted_at).is_(None))
        ).all()
        for post in posts:
            announce_post(session, post=post)
            publish(session, ScheduledPostPublished(post=post))
        session.flush()
        total += len(ids)
        if len(ids) < BATCH:
            return total
