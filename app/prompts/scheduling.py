"""Scheduled posts: the list of what is waiting, and the job (publish times: app/posts).

A scheduled post is an ordinary post whose ``published_at`` lies in the future: streams leave it
out until then, so it appears on time whatever any job does. The publishing job (jobs.py) only
announces it once it is live.
"""

from sqlmodel import Session, col, select

from app.core.db import utcnow
from app.posts.models import Post

# Publish times are resolved by posts itself (creating or editing a post); kept importable here.
from app.posts.publish_times import (
    BAD_TIME,
    MAX_AHEAD,
    PAST_TOLERANCE,
    parse_publish_at,
    resolve_publish_at,
)
from app.spaces.access import SpaceAccess, require_read

__all__ = [
    "BAD_TIME",
    "MAX_AHEAD",
    "PAST_TOLERANCE",
    "parse_publish_at",
    "resolve_publish_at",
    "scheduled_posts",
]


def scheduled_posts(session: Session, *, access: SpaceAccess, limit: int = 100) -> list[Post]:
    """Posts waiting to be published in a space: hosts see all of them, others their own."""
    require_read(access)
    query = select(Post).where(
        col(Post.space_id) == access.space.id,
        col(Post.deleted_at).is_(None),
        col(Post.published_at) > utcnow(),
    )
    if not access.can_moderate:
        query = query.where(col(Post.author_id) == access.user.id)
    return list(session.exec(query.order_by(col(Post.published_at), col(Post.id)).limit(limit)))
