"""A post's history: everyone who may read the post sees that and when it changed; its author
and the space's hosts also see the earlier versions' text."""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlmodel import Session, col

from app.people.models import User
from app.posts.markdown import render_markdown
from app.posts.models import Post, PostRevision
from app.posts.service import load_post
from app.spaces.access import SpaceAccess

PAGE_SIZE = 20


@dataclass(frozen=True, slots=True)
class Version:
    id: int
    written_at: datetime
    replaced_at: datetime
    title: str | None  # None: the reader may see that it changed, not what it said
    body_html: str | None


@dataclass(frozen=True, slots=True)
class PostHistory:
    post: Post
    access: SpaceAccess
    shows_text: bool
    versions: list[Version]
    next_before: int | None


def may_see_earlier_text(post: Post, access: SpaceAccess) -> bool:
    """Earlier wording is the author's to show: only they and the space's hosts read it."""
    return post.author_id == access.user.id or access.can_moderate


def post_history(
    session: Session, *, user: User, post_id: int, before: int | None = None
) -> PostHistory:
    """The earlier versions of a post the person may read, newest first (404 otherwise)."""
    post, access = load_post(session, user=user, post_id=post_id)
    shows_text = may_see_earlier_text(post, access)
    columns: list[Any] = [PostRevision.id, PostRevision.written_at, PostRevision.replaced_at]
    if shows_text:
        columns += [PostRevision.title, PostRevision.body]
    query = select(*columns).where(col(PostRevision.post_id) == post_id)
    if before is not None:
        query = query.where(col(PostRevision.id) < before)
    rows = session.execute(query.order_by(col(PostRevision.id).desc()).limit(PAGE_SIZE + 1)).all()
    versions = [
        Version(
            id=row.id,
            written_at=row.written_at,
            replaced_at=row.replaced_at,
            title=row.title if shows_text else None,
            # Rendered without mention links: a version is a record, not a new notification.
            body_html=render_markdown(row.body) if shows_text else None,
        )
        for row in rows[:PAGE_SIZE]
    ]
    next_before = versions[-1].id if len(rows) > PAGE_SIZE else None
    return PostHistory(post, access, shows_text, versions, next_before)
