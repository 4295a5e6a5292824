"""The badge rules: each answers, in one set-based query, "who qualifies and does not hold the
badge yet", for everyone (the job) or for a few people (right after they acted).

Granting what they find is engine.py's job; the badges themselves are data (badges.py).
"""

from collections.abc import Callable
from datetime import datetime
from typing import Any

from sqlalchemy import distinct, exists, func, union_all
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, select

from app.config import get_settings
from app.people.models import User
from app.posts.models import Comment, Post, PostKind, Reaction
from app.recognition.models import Kudos
from app.recognition.rule_base import (
    Grant,
    RuleContext,
    lacks,
    live_comment,
    live_post,
    only,
    site_grants,
    site_started_at,
)
from app.recognition.rules_activity import first_meetup, first_protocol_edit
from app.recognition.sql import plus_days
from app.spaces.models import Space

__all__ = ["RULES", "RULES_AFTER", "Grant", "RuleContext", "site_started_at"]


# --- the rules -------------------------------------------------------------------------------


def leader(session: Session, ctx: RuleContext) -> list[Grant]:
    rows = session.exec(
        select(User.id, User.leader_title).where(
            col(User.is_leader).is_(True), only(ctx, User.id), lacks(ctx, User.id)
        )
    )
    return [Grant(user_id=uid, space_id=None, reason=title or "Leader") for uid, title in rows]  # type: ignore[arg-type]


def first_post(session: Session, ctx: RuleContext) -> list[Grant]:
    query = (
        select(Post.author_id)
        .where(live_post(ctx.now), only(ctx, Post.author_id), lacks(ctx, Post.author_id))
        .distinct()
    )
    return site_grants(session, query, ctx.badge.description)


def first_comment(session: Session, ctx: RuleContext) -> list[Grant]:
    query = (
        select(Comment.author_id)
        .join(Post, col(Post.id) == Comment.post_id)
        .where(live_comment(ctx.now), only(ctx, Comment.author_id), lacks(ctx, Comment.author_id))
        .distinct()
    )
    return site_grants(session, query, ctx.badge.description)


def helpful(session: Session, ctx: RuleContext) -> list[Grant]:
    """Reactions received from others on live posts."""
    query = (
        select(Post.author_id)
        .join(Reaction, col(Reaction.post_id) == Post.id)
        .where(
            live_post(ctx.now),
            col(Reaction.user_id) != Post.author_id,
            only(ctx, Post.author_id),
            lacks(ctx, Post.author_id),
        )
        .group_by(col(Post.author_id))
        .having(func.count() >= ctx.threshold)
    )
    return site_grants(session, query, ctx.badge.description)


def welcomer(session: Session, ctx: RuleContext) -> list[Grant]:
    """Comments on other people's first (still existing) post, counted per newcomer."""
    earlier = aliased(Post)
    is_first_post = ~exists().where(
        col(earlier.author_id) == Post.author_id,
        col(earlier.id) < Post.id,
        col(earlier.deleted_at).is_(None),
    )
    query = (
        select(Comment.author_id)
        .join(Post, col(Post.id) == Comment.post_id)
        .where(
            live_comment(ctx.now),
            col(Comment.author_id) != Post.author_id,
            is_first_post,
            only(ctx, Comment.author_id),
            lacks(ctx, Comment.author_id),
        )
        .group_by(col(Comment.author_id))
        .having(func.count(distinct(col(Post.author_id))) >= ctx.threshold)
    )
    return site_grants(session, query, ctx.badge.description)


def conversation_starter(session: Session, ctx: RuleContext) -> list[Grant]:
    per_post = (
        select(Post.author_id.label("user_id"))  # type: ignore[union-attr]
        .join(Comment, col(Comment.post_id) == Post.id)
        .where(
            live_comment(ctx.now),
            col(Comment.author_id) != Post.author_id,
            only(ctx, Post.author_id),
            lacks(ctx, Post.author_id),
        )
        .group_by(col(Post.id), col(Post.author_id))
        .having(func.count(distinct(col(Comment.author_id))) >= ctx.threshold)
        .subquery()
    )
    return site_grants(session, select(per_post.c.user_id).distinct(), ctx.badge.description)


def curious(session: Session, ctx: RuleContext) -> list[Grant]:
    query = (
        select(Post.author_id)
        .where(
            live_post(ctx.now),
            col(Post.kind) == PostKind.question,
            only(ctx, Post.author_id),
            lacks(ctx, Post.author_id),
        )
        .group_by(col(Post.author_id))
        .having(func.count() >= ctx.threshold)
    )
    return site_grants(session, query, ctx.badge.description)


def _contributions(now: datetime, ctx: RuleContext | None = None) -> Any:
    """(user_id, space_id, at) for every live post and comment; a subquery."""
    posts: Any = select(
        col(Post.author_id).label("user_id"),
        col(Post.space_id).label("space_id"),
        col(Post.published_at).label("at"),
    ).where(live_post(now))
    comments: Any = (
        select(
            col(Comment.author_id).label("user_id"),
            col(Post.space_id).label("space_id"),
            col(Comment.created_at).label("at"),
        )
        .join(Post, col(Post.id) == Comment.post_id)
        .where(live_comment(now))
    )
    if ctx is not None and ctx.space_id is not None:
        posts = posts.where(col(Post.space_id) == ctx.space_id)
        comments = comments.where(col(Post.space_id) == ctx.space_id)
    return union_all(posts, comments).subquery("contributions")


def bridge_builder(session: Session, ctx: RuleContext) -> list[Grant]:
    contributions = _contributions(ctx.now)
    query = (
        select(contributions.c.user_id)
        .where(only(ctx, contributions.c.user_id), lacks(ctx, contributions.c.user_id))
        .group_by(contributions.c.user_id)
        .having(func.count(distinct(contributions.c.space_id)) >= ctx.threshold)
    )
    return site_grants(session, query, ctx.badge.description)


def generous(session: Session, ctx: RuleContext) -> list[Grant]:
    query = (
        select(Kudos.giver_id)
        .where(only(ctx, Kudos.giver_id), lacks(ctx, Kudos.giver_id))
        .group_by(col(Kudos.giver_id))
        .having(func.count(distinct(col(Kudos.receiver_id))) >= ctx.threshold)
    )
    return site_grants(session, query, ctx.badge.description)


def early_adopter(session: Session, ctx: RuleContext) -> list[Grant]:
    """The first N active contributors of each space (and of the site) in their first days.

    "Active": a live post or comment within the window, ranked by the first such contribution;
    equal times are ordered by the person's id. People who left the space keep their place: the
    badge is about what they did then. Deleted and hidden content does not count.
    """
    n, days = ctx.settings.early_adopter_count, ctx.settings.early_adopter_days
    contributions = _contributions(ctx.now, ctx)
    in_window = contributions.c.at < plus_days(Space.created_at, days)
    firsts = (
        select(
            contributions.c.user_id,
            contributions.c.space_id,
            func.min(contributions.c.at).label("first_at"),
        )
        .join(Space, col(Space.id) == contributions.c.space_id)
        .where(in_window)
        .group_by(contributions.c.user_id, contributions.c.space_id)
        .subquery("firsts")
    )
    order = (firsts.c.first_at, firsts.c.user_id)
    ranked = select(
        firsts.c.user_id,
        firsts.c.space_id,
        func.row_number().over(partition_by=firsts.c.space_id, order_by=order).label("rank"),
    ).subquery("ranked")
    space_rows = session.exec(
        select(ranked.c.user_id, ranked.c.space_id, ranked.c.rank).where(
            ranked.c.rank <= n,
            only(ctx, ranked.c.user_id),
            lacks(ctx, ranked.c.user_id, ranked.c.space_id),
        )
    )
    grants = [
        Grant(user_id=u, space_id=s, reason=f"No. {r} of the first {n} contributors of this space")
        for u, s, r in space_rows
    ]
    site_start = site_started_at()
    everywhere = _contributions(ctx.now)
    site_firsts = (
        select(everywhere.c.user_id, func.min(everywhere.c.at).label("first_at"))
        .where(everywhere.c.at < plus_days(site_start, days))
        .group_by(everywhere.c.user_id)
        .subquery("site_firsts")
    )
    site_ranked = select(
        site_firsts.c.user_id,
        func.row_number()
        .over(order_by=(site_firsts.c.first_at, site_firsts.c.user_id))
        .label("rank"),
    ).subquery("site_ranked")
    site_rows = session.exec(
        select(site_ranked.c.user_id, site_ranked.c.rank).where(
            site_ranked.c.rank <= n,
            only(ctx, site_ranked.c.user_id),
            lacks(ctx, site_ranked.c.user_id),
        )
    )
    site = get_settings().site_name
    grants += [
        Grant(user_id=u, space_id=None, reason=f"No. {r} of the first {n} contributors of {site}")
        for u, r in site_rows
    ]
    return grants


Rule = Callable[[Session, RuleContext], list[Grant]]
RULES: dict[str, Rule] = {
    "leader": leader,
    "early_adopter": early_adopter,
    "first_post": first_post,
    "first_comment": first_comment,
    "helpful": helpful,
    "welcomer": welcomer,
    "conversation_starter": conversation_starter,
    "curious": curious,
    "bridge_builder": bridge_builder,
    "generous": generous,
    "first_protocol_edit": first_protocol_edit,
    "first_meetup": first_meetup,
}
# Which rules can newly hold after an action; the job evaluates all of them.
RULES_AFTER = {
    "post": ("first_post", "curious", "bridge_builder", "early_adopter"),
    "comment": (
        "first_comment",
        "welcomer",
        "conversation_starter",
        "bridge_builder",
        "early_adopter",
    ),
    "kudos": ("generous",),
    "reaction": ("helpful",),
    "protocol_edit": ("first_protocol_edit",),
    "attendance": ("first_meetup",),
}
