"""What every rule shares: the grant, the context, and the clauses for "live content", "only
these people" and "does not hold the badge yet".

Each rule's statement is built once per process (see app.core.prepared) and run with the values of
its context as bind parameters: building the aliased statements and computing their cache keys
on every write cost more Python than the database spent running them (about half of a write's
CPU, 2026-12). So a statement names the badge, its threshold, the time, the people and the space
only as the parameters below; `RuleContext.params()` supplies their values.
"""

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Integer, and_, bindparam, exists, true
from sqlmodel import Session, col, select

from app.access.posts import comment_shown, post_shown
from app.core import prepared
from app.core.rows import read
from app.people.models import User
from app.posts.models import Comment, Post
from app.recognition.models import Award, Badge, SiteRecognition

# The parameters of every rule statement (values from RuleContext.params()).
NOW = prepared.NOW
BADGE_ID = bindparam("badge_id", type_=Integer)
THRESHOLD = bindparam("threshold", type_=Integer)
SPACE_ID = bindparam("space_id", type_=Integer)
EARLY_COUNT = bindparam("early_count", type_=Integer)
EARLY_DAYS = bindparam("early_days", type_=Integer)
USER_IDS = bindparam("user_ids", type_=Integer, expanding=True)


@dataclass(frozen=True)
class Grant:
    user_id: int
    space_id: int | None
    reason: str


@dataclass(frozen=True)
class RuleBadge:
    """What rules and grants need of a built-in badge: read as a row on every write that may
    earn one (recognition.held), where loading entities cost more than the check itself."""

    id: int
    slug: str
    rule: str
    threshold: int | None
    description: str


@dataclass(frozen=True)
class RuleContext:
    badge: Badge | RuleBadge
    settings: SiteRecognition
    now: datetime
    user_ids: Collection[int] | None = None  # None: everyone (the job)
    space_id: int | None = None  # space rules: only this space (right after an action)

    @property
    def threshold(self) -> int:
        return self.badge.threshold or 1

    @property
    def scoped(self) -> bool:
        """Only some people (right after an action): statements then filter by `user_ids`."""
        return self.user_ids is not None

    def params(self, **more: Any) -> dict[str, Any]:
        """The values of the rule statements' bind parameters (a statement ignores the rest)."""
        return {
            "badge_id": self.badge.id,
            "threshold": self.threshold,
            "now": self.now,
            "user_ids": sorted(self.user_ids) if self.user_ids is not None else [],
            "space_id": self.space_id,
            "early_count": self.settings.early_adopter_count,
            "early_days": self.settings.early_adopter_days,
            **more,
        }


# --- what counts as a contribution ------------------------------------------------------------


def live_post(now: Any = NOW, post: Any = Post) -> ColumnElement[bool]:
    """Published, not deleted, not hidden by a moderator: deleted content never counts."""
    return and_(*post_shown(post, now), col(post.author_id).is_not(None))


def live_comment(now: Any = NOW) -> ColumnElement[bool]:
    return and_(
        *comment_shown(),
        col(Comment.author_id).is_not(None),
        live_post(now),
    )


def only(scoped: bool, user_col: Any) -> ColumnElement[bool]:
    """With `scoped`, only the people of the `user_ids` parameter; else everyone (the job).

    An expanding parameter, not one JSON value (prepared.ids): SQLite plans `IN (?, ?)` as a
    search by person on the author indexes, but `IN (SELECT ... json_each(?))` inside a UNION
    ALL or a join as a scan of every comment. The lists here have one or two people, so their
    few lengths keep the statement text in the caches.
    """
    return col(user_col).in_(USER_IDS) if scoped else true()


def lacks(user_col: Any, space_col: Any = None) -> ColumnElement[bool]:
    """The person does not hold this badge yet (for the site, or for the given space)."""
    same_scope = (
        col(Award.space_id).is_(None) if space_col is None else col(Award.space_id) == space_col
    )
    return ~exists().where(
        col(Award.badge_id) == BADGE_ID, col(Award.user_id) == user_col, same_scope
    )


def site_started_at() -> Any:
    """When the site started: the first account's creation (by id, so the primary key answers)."""
    return select(User.created_at).order_by(col(User.id)).limit(1).scalar_subquery()


def site_grants(session: Session, query: Any, ctx: RuleContext, **more: Any) -> list[Grant]:
    """Run a rule statement that selects user ids; site awards with the badge's description."""
    reason = ctx.badge.description
    rows = read(session, query, ctx.params(**more))
    return [Grant(user_id=uid, space_id=None, reason=reason) for (uid,) in rows]
