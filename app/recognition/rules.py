"""The badge rules: each answers, in one set-based query, "who qualifies and does not hold the
badge yet", for everyone (the job) or for a few people (right after they acted).

Granting what they find is engine.py's job; the badges themselves are data (badges.py). Each
statement is built once per process for the job (everyone) and once for "these people" (cached
builders taking `scoped`), and run with the context's values (rule_base.RuleContext.params).
"""

from collections.abc import Callable
from functools import cache
from typing import Any

from sqlalchemy import distinct, exists, func, union_all
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, select

from app.core.config import get_settings
from app.core.rows import read
from app.people.models import User
from app.posts.models import Comment, Post, PostKind, Reaction
from app.recognition.models import Kudos
from app.recognition.rule_base import (
    EARLY_COUNT,
    EARLY_DAYS,
    SPACE_ID,
    THRESHOLD,
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


@cache
def _leader(scoped: bool) -> Any:
    return select(User.id, User.leader_title).where(
        col(User.is_leader).is_(True), only(scoped, User.id), lacks(User.id)
    )


def leader(session: Session, ctx: RuleContext) -> list[Grant]:
    rows = read(session, _leader(ctx.scoped), ctx.params())
    return [Grant(user_id=uid, space_id=None, reason=title or "Leader") for uid, title in rows]


@cache
def _first_post(scoped: bool) -> Any:
    return (
        select(Post.author_id)
        .where(live_post(), only(scoped, Post.author_id), lacks(Post.author_id))
        .distinct()
    )


def first_post(session: Session, ctx: RuleContext) -> list[Grant]:
    return site_grants(session, _first_post(ctx.scoped), ctx)


@cache
def _first_comment(scoped: bool) -> Any:
    return (
        select(Comment.author_id)
        .join(Post, col(Post.id) == Comment.post_id)
        .where(live_comment(), only(scoped, Comment.author_id), lacks(Comment.author_id))
        .distinct()
    )


def first_comment(session: Session, ctx: RuleContext) -> list[Grant]:
    return site_grants(session, _first_comment(ctx.scoped), ctx)


@cache
def _helpful(scoped: bool) -> Any:
    return (
        select(Post.author_id)
        .join(Reaction, col(Reaction.post_id) == Post.id)
        .where(
            live_post(),
            col(Reaction.user_id) != Post.author_id,
            only(scoped, Post.author_id),
            lacks(Post.author_id),
        )
        .group_by(col(Post.author_id))
        .having(func.count() >= THRESHOLD)
    )


def helpful(session: Session, ctx: RuleContext) -> list[Grant]:
    """Reactions received from others on live posts."""
    return site_grants(session, _helpful(ctx.scoped), ctx)


@cache
def _welcomer(scoped: bool) -> Any:
    earlier = aliased(Post)
    is_first_post = ~exists().where(
        col(earlier.author_id) == Post.author_id,
        col(earlier.id) < Post.id,
        col(earlier.deleted_at).is_(None),
    )
    return (
        select(Comment.author_id)
        .join(Post, col(Post.id) == Comment.post_id)
        .where(
            live_comment(),
            col(Comment.author_id) != Post.author_id,
            is_first_post,
            only(scoped, Comment.author_id),
            lacks(Comment.author_id),
        )
        .group_by(col(Comment.author_id))
        .having(func.count(distinct(col(Post.author_id))) >= THRESHOLD)
    )


def welcomer(session: Session, ctx: RuleContext) -> list[Grant]:
    """Comments on other people's first (still existing) post, counted per newcomer."""
    return site_grants(session, _welcomer(ctx.scoped), ctx)


@cache
def _conversation_starter(scoped: bool) -> Any:
    per_post = (
        select(Post.author_id.label("user_id"))  # type: ignore[union-attr]
        .join(Comment, col(Comment.post_id) == Post.id)
        .where(
            live_comment(),
            col(Comment.author_id) != Post.author_id,
            only(scoped, Post.author_id),
            lacks(Post.author_id),
        )
        .group_by(col(Post.id), col(Post.author_id))
        .having(func.count(distinct(col(Comment.author_id))) >= THRESHOLD)
        .subquery()
    )
    return select(per_post.c.user_id).distinct()


def conversation_starter(session: Session, ctx: RuleContext) -> list[Grant]:
    return site_grants(session, _conversation_starter(ctx.scoped), ctx)


@cache
def _curious(scoped: bool) -> Any:
    return (
        select(Post.author_id)
        .where(
            live_post(),
            col(Post.kind) == PostKind.question,
            only(scoped, Post.author_id),
            lacks(Post.author_id),
        )
        .group_by(col(Post.author_id))
        .having(func.count() >= THRESHOLD)
    )


def curious(session: Session, ctx: RuleContext) -> list[Grant]:
    return site_grants(session, _curious(ctx.scoped), ctx)


def _contributions(in_space: bool = False) -> Any:
    """(user_id, space_id, at) for every live post and comment (with `in_space`, of the space
    parameter's only); a subquery."""
    posts: Any = select(
        col(Post.author_id).label("user_id"),
        col(Post.space_id).label("space_id"),
        col(Post.published_at).label("at"),
    ).where(live_post())
    comments: Any = (
        select(
            col(Comment.author_id).label("user_id"),
            col(Post.space_id).label("space_id"),
            col(Comment.created_at).label("at"),
        )
        .join(Post, col(Post.id) == Comment.post_id)
        .where(live_comment())
    )
    if in_space:
        posts = posts.where(col(Post.space_id) == SPACE_ID)
        comments = comments.where(col(Post.space_id) == SPACE_ID)
    return union_all(posts, comments).subquery("contributions")


@cache
def _bridge_builder(scoped: bool) -> Any:
    contributions = _contributions()
    return (
        select(contributions.c.user_id)
        .where(only(scoped, contributions.c.user_id), lacks(contributions.c.user_id))
        .group_by(contributions.c.user_id)
        .having(func.count(distinct(contributions.c.space_id)) >= THRESHOLD)
    )


def bridge_builder(session: Session, ctx: RuleContext) -> list[Grant]:
    return site_grants(session, _bridge_builder(ctx.scoped), ctx)


@cache
def _generous(scoped: bool) -> Any:
    return (
        select(Kudos.giver_id)
        .where(only(scoped, Kudos.giver_id), lacks(Kudos.giver_id))
        .group_by(col(Kudos.giver_id))
        .having(func.count(distinct(col(Kudos.receiver_id))) >= THRESHOLD)
    )


def generous(session: Session, ctx: RuleContext) -> list[Grant]:
    return site_grants(session, _generous(ctx.scoped), ctx)


def early_adopter(session: Session, ctx: RuleContext) -> list[Grant]:
    """The first N active contributors of each space (and of the site) in their first days.

    "Active": a live post or comment within the window, ranked by the first such contribution;
    equal times are ordered by the person's id. People who left the space keep their place: the
    badge is about what they did then. Deleted and hidden content does not count.
    """
    n = ctx.settings.early_adopter_count
    space_statement, site_statement = _early_adopter(ctx.scoped, ctx.space_id is not None)
    params = ctx.params()
    grants = [
        Grant(user_id=u, space_id=s, reason=f"No. {r} of the first {n} contributors of this space")
        for u, s, r in read(session, space_statement, params)
    ]
    site = get_settings().site_name
    grants += [
        Grant(user_id=u, space_id=None, reason=f"No. {r} of the first {n} contributors of {site}")
        for u, r in read(session, site_statement, params)
    ]
    return grants


@cache
def _early_adopter(scoped: bool, in_space: bool) -> tuple[Any, Any]:
    """The statements of early_adopter: (user, space, rank) for spaces; (user, rank) for the
    site."""
    contributions = _contributions(in_space)
    in_window = contributions.c.at < plus_days(Space.created_at, EARLY_DAYS)
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
    space_rows = select(ranked.c.user_id, ranked.c.space_id, ranked.c.rank).where(
        ranked.c.rank <= EARLY_COUNT,
        only(scoped, ranked.c.user_id),
        lacks(ranked.c.user_id, ranked.c.space_id),
    )
    site_start = site_started_at()
    everywhere = _contributions()
    site_firsts = (
        select(everywhere.c.user_id, func.min(everywhere.c.at).label("first_at"))
        .where(everywhere.c.at < plus_days(site_start, EARLY_DAYS))
        .group_by(everywhere.c.user_id)
        .subquery("site_firsts")
    )
    site_ranked = select(
        site_firsts.c.user_id,
        func.row_number()
        .over(order_by=(site_firsts.c.first_at, site_firsts.c.user_id))
        .label("rank"),
    ).subquery("site_ranked")
    site_rows = select(site_ranked.c.user_id, site_ranked.c.rank).where(
        site_ranked.c.rank <= EARLY_COUNT,
        only(scoped, site_ranked.c.user_id),
        lacks(site_ranked.c.user_id),
    )
    return space_rows, site_rows


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
# Which rules can newly hold for the actor after an action; the job evaluates all of them.
RULES_AFTER = {
    "post": ("first_post", "curious", "bridge_builder", "early_adopter"),
    # Not conversation_starter: the actor's comment adds no commenter to the actor's own posts.
    "comment": ("first_comment", "welcomer", "bridge_builder", "early_adopter"),
    "kudos": ("generous",),
    "reaction": ("helpful",),
    "protocol_edit": ("first_protocol_edit",),
    "attendance": ("first_meetup",),
}
# Which rules can newly hold for the author of what the action was on (after_action's
# `receiver_id`). After a comment: conversation_starter (one more commenter on their post), and
# early_adopter as before this table existed (a deleted contribution may have moved the author
# up the line). Not first_comment, welcomer or bridge_builder: someone else's comment changes
# none of the author's own contributions, and a popular author's are many to count (2026-12).
RULES_FOR_RECEIVER = {
    "comment": ("conversation_starter", "early_adopter"),
}
