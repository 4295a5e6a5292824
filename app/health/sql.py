"""SQL building blocks for the health figures, portable between SQLite and PostgreSQL."""

from datetime import datetime
from typing import Any

from sqlalchemy import Integer, and_, case, cast, func, literal, or_, union_all
from sqlalchemy.orm import aliased
from sqlmodel import col, select

from app.core.db import UTCDateTime
from app.people.models import User
from app.posts.models import Comment, Post, Reaction
from app.spaces.models import MemberRole, Membership, MemberState


def seconds_between(later, earlier, dialect: str):
    if dialect == "sqlite":
        return (func.julianday(later) - func.julianday(earlier)) * 86400.0
    return func.extract("epoch", later - earlier)


def week_index(at, start: datetime, dialect: str):
    since = seconds_between(at, literal(start, UTCDateTime), dialect) / (7 * 86400)
    # SQLite has no floor(); casting a non-negative number to integer truncates the same way.
    return cast(since, Integer) if dialect == "sqlite" else cast(func.floor(since), Integer)


def lead_of(space_id, person_id):
    """1 when the person hosts that space or is a leader, else 0 (an expression and its joins)."""
    host = aliased(Membership)
    person = aliased(User)
    on_host = and_(
        col(host.space_id) == space_id,
        col(host.user_id) == person_id,
        col(host.role) == MemberRole.host,
        col(host.state) == MemberState.active,
    )
    expr = case((or_(col(host.id).is_not(None), col(person.is_leader)), 1), else_=0)
    return expr, (host, on_host), (person, col(person.id) == person_id)


def contributions(scope, start: datetime, now: datetime):
    """Every post, comment and reaction in scope and period: who, when, what, lead or not."""
    lead, host_join, person_join = lead_of(Post.space_id, Post.author_id)
    posts: Any = (
        select(
            col(Post.author_id).label("person"),
            col(Post.published_at).label("at"),
            literal("post").label("kind"),
            lead.label("lead"),
        )
        .join(person_join[0], person_join[1])
        .outerjoin(*host_join)
        .where(
            col(Post.space_id).in_(scope),
            col(Post.deleted_at).is_(None),
            col(Post.published_at) >= start,
            col(Post.published_at) <= now,
        )
    )
    branches = [posts]
    for model, person_col in ((Comment, Comment.author_id), (Reaction, Reaction.user_id)):
        lead, host_join, person_join = lead_of(Post.space_id, person_col)
        query: Any = (
            select(
                col(person_col).label("person"),
                col(model.created_at).label("at"),
                literal(model.__tablename__[:-1]).label("kind"),
                lead.label("lead"),
            )
            .select_from(model)
            .join(Post, col(Post.id) == model.post_id)
            .join(person_join[0], person_join[1])
            .outerjoin(*host_join)
            .where(
                col(Post.space_id).in_(scope),
                col(Post.deleted_at).is_(None),
                col(model.created_at) >= start,
                col(model.created_at) <= now,
            )
        )
        if model is Comment:
            query = query.where(col(Comment.deleted_at).is_(None))
        branches.append(query)
    return union_all(*branches).subquery("contrib")


def first_peer_replies(space_ids, start: datetime, now: datetime):
    """Per post in scope and period, when the first comment by a peer came (not the author, not
    a host or leader): one grouped pass over the comments, joined to the posts afterwards."""
    replied = aliased(Post)
    lead, host_join, person_join = lead_of(replied.space_id, Comment.author_id)
    return (
        select(
            col(Comment.post_id).label("post_id"), func.min(Comment.created_at).label("first_at")
        )
        .join(replied, col(replied.id) == Comment.post_id)
        .join(person_join[0], person_join[1])
        .outerjoin(*host_join)
        .where(
            col(replied.space_id).in_(space_ids),
            col(replied.published_at) >= start,
            col(replied.published_at) <= now,
            col(Comment.author_id) != replied.author_id,
            col(Comment.deleted_at).is_(None),
            lead == 0,
        )
        .group_by(col(Comment.post_id))
        .subquery("peer_replies")
    )
