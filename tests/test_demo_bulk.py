"""Bulk synthetic data: what the benchmark relies on is really there, and consistent."""

import random

import pytest
from sqlalchemy import func
from sqlmodel import col, select

from app.core.db import get_engine, utcnow
from app.core.errors import Invalid
from app.demo.bulk import SHOWCASE_COMMENTS, SPACES_PER_MEMBER, bulk_seed, comment_counts
from app.people.models import User
from app.posts.models import Comment, Post
from app.spaces.models import MemberRole, Membership, Space
from tests.factories import make_user


def test_comment_counts_add_up_with_exactly_one_showcase_post():
    counts = comment_counts(2000, 20_000, random.Random(3))

    assert sum(counts) == 20_000
    assert counts[0] == SHOWCASE_COMMENTS
    assert counts.count(SHOWCASE_COMMENTS) == 1
    assert sum(1 for n in counts if n >= 100) >= 2  # a few posts with hundreds


def test_bulk_seed_makes_consistent_rows_and_a_full_home_for_the_member(session):
    me = make_user(session, email="bench-viewer@example.com")
    session.commit()

    result = bulk_seed(
        get_engine(),
        users=40,
        spaces=12,
        posts=1000,
        comments=4000,
        member_emails=["Bench-Viewer@example.com"],
    )

    assert (result.users, result.spaces, result.posts, result.comments) == (40, 12, 1000, 4000)
    per_post = dict(
        session.exec(select(Comment.post_id, func.count()).group_by(Comment.post_id)).all()
    )
    for post_id, stored in session.exec(select(Post.id, Post.comment_count)).all():
        assert per_post.get(post_id, 0) == stored
    showcase = session.get(Post, result.showcase_post_id)
    assert showcase is not None
    assert showcase.comment_count == SHOWCASE_COMMENTS
    assert session.get(Space, showcase.space_id).visibility == "public"
    mine = session.exec(select(Membership).where(Membership.user_id == me.id)).all()
    assert len(mine) == SPACES_PER_MEMBER
    hosts = session.exec(
        select(func.count(func.distinct(Membership.space_id))).where(
            Membership.role == MemberRole.host
        )
    ).one()
    assert hosts == 12
    newest = session.exec(
        select(Comment.created_at).order_by(col(Comment.created_at).desc())
    ).first()
    assert newest is not None
    assert newest <= utcnow()
    early = session.exec(
        select(func.count())
        .select_from(Comment)
        .join(Post, col(Post.id) == Comment.post_id)
        .where(col(Comment.created_at) <= col(Post.published_at))
    ).one()
    assert early == 0
    # Leaders' posts carry the mark leaders' voices read, and only theirs.
    marked = session.exec(
        select(Post.by_leader, User.is_leader).join(User, col(User.id) == Post.author_id)
    ).all()
    assert any(leader for _mark, leader in marked)
    assert all(mark == leader for mark, leader in marked)


def test_bulk_seed_refuses_an_unknown_member_and_writes_nothing(session):
    before = session.exec(select(func.count()).select_from(User)).one()

    with pytest.raises(Invalid):
        bulk_seed(
            get_engine(), users=5, spaces=2, posts=10, comments=0, member_emails=["nobody@x.io"]
        )

    assert session.exec(select(func.count()).select_from(User)).one() == before
