"""What every rule shares: the grant, the context, and the clauses for "live content", "only
these people" and "does not hold the badge yet"."""

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, and_, exists, true
from sqlmodel import Session, col, select

from app.people.models import User
from app.posts.models import Comment, Post
from app.recognition.models import Award, Badge, RecognitionSettings


@dataclass(frozen=True)
class Grant:
    user_id: int
    space_id: int | None
    reason: str


@dataclass(frozen=True)
class RuleContext:
    badge: Badge
    settings: RecognitionSettings
    now: datetime
    user_ids: Collection[int] | None = None  # None: everyone (the job)
    space_id: int | None = None  # space rules: only this space (right after an action)

    @property
    def threshold(self) -> int:
        return self.badge.threshold or 1


# --- what counts as a contribution ------------------------------------------------------------


def live_post(now: datetime, post: Any = Post) -> ColumnElement[bool]:
    """Published, not deleted, not hidden by a moderator: deleted content never counts."""
    return and_(
        col(post.deleted_at).is_(None),
        col(post.hidden_at).is_(None),
        col(post.published_at) <= now,
        col(post.author_id).is_not(None),
    )


def live_comment(now: datetime) -> ColumnElement[bool]:
    return and_(
        col(Comment.deleted_at).is_(None),
        col(Comment.hidden_at).is_(None),
        col(Comment.author_id).is_not(None),
        live_post(now),
    )


def only(ctx: RuleContext, user_col: Any) -> ColumnElement[bool]:
    return col(user_col).in_(list(ctx.user_ids)) if ctx.user_ids is not None else true()


def lacks(ctx: RuleContext, user_col: Any, space_col: Any = None) -> ColumnElement[bool]:
    """The person does not hold this badge yet (for the site, or for the given space)."""
    same_scope = (
        col(Award.space_id).is_(None) if space_col is None else col(Award.space_id) == space_col
    )
    return ~exists().where(
        col(Award.badge_id) == ctx.badge.id, col(Award.user_id) == user_col, same_scope
    )


def site_started_at() -> Any:
    """When the site started: the first account's creation (by id, so the primary key answers)."""
    return select(User.created_at).order_by(col(User.id)).limit(1).scalar_subquery()


def site_grants(session: Session, query: Any, reason: str) -> list[Grant]:
    return [Grant(user_id=uid, space_id=None, reason=reason) for uid in session.exec(query)]
