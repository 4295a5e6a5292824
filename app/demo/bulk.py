"""Bulk synthetic data for benchmarks: 100,000 posts and 1,000,000 comments in about a minute.

Rows go in with multi-row INSERTs, bypassing the services on purpose (speed); the rules the
services keep are kept here by construction: every post's comment_count matches its comments,
every space has an active host, times are aware UTC and never in the future.
"""

import random
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, Engine, func, insert, select, update
from sqlalchemy.exc import OperationalError
from sqlmodel import col

from app.core.db import utcnow
from app.core.errors import Invalid
from app.core.security import hash_password
from app.demo.text import make_pools
from app.people.models import User
from app.posts.markdown import render_markdown
from app.posts.models import Comment, Post, PostKind
from app.spaces.models import MemberRole, Membership, MemberState, Space, Visibility

# The benchmark's comment-heavy page: one post always has exactly this many comments.
SHOWCASE_COMMENTS = 300
MEMBERS_PER_SPACE = 30
# Spaces each --member person joins, so their home stream mixes several spaces.
SPACES_PER_MEMBER = 8
POST_SPACING = timedelta(minutes=3)


@dataclass
class BulkResult:
    """What was made, for the caller to print or check."""

    users: int = 0
    spaces: int = 0
    posts: int = 0
    comments: int = 0
    showcase_post_id: int | None = None
    seconds: dict[str, float] = field(default_factory=dict)
    report: Callable[[str], None] = field(default=lambda _line: None, repr=False)


def comment_counts(posts: int, comments: int, rng: random.Random) -> list[int]:
    """About `comments` in all: most posts get a handful, a few get hundreds.

    Post 0 gets exactly SHOWCASE_COMMENTS (when there are that many comments to give); the other
    heavy posts get 100-400 but never exactly that number, so "the post with 300 comments" is one.
    """
    if posts == 0:
        return []
    counts = [0] * posts
    if comments >= SHOWCASE_COMMENTS:
        counts[0] = SHOWCASE_COMMENTS
    heavy = [i for i in rng.sample(range(1, posts), min(posts - 1, posts // 500))]
    for index in heavy:
        share = rng.choice([n for n in range(100, 401) if n != SHOWCASE_COMMENTS])
        counts[index] = min(share, max(0, comments - sum(counts)) // 2)
    light = [i for i in range(1, posts) if counts[i] == 0]
    remaining = comments - sum(counts)
    if light and remaining > 0:
        # Spread the rest at random; a light post never reaches the showcase count.
        for index in rng.choices(light, k=remaining):
            counts[index] += 1
        for index in light:
            if counts[index] == SHOWCASE_COMMENTS:
                counts[index] -= 1
    return counts


@contextmanager
def _phase(result: BulkResult, name: str, total: int) -> Iterator[None]:
    started = time.perf_counter()
    yield
    seconds = time.perf_counter() - started
    result.seconds[name] = seconds
    result.report(f"  {name:<12} {total:>10,} rows in {seconds:6.1f} s")


def _insert_in_batches(
    conn: Connection, table: Any, rows: Iterator[dict[str, Any]], batch: int
) -> int:
    done, pending = 0, []
    for row in rows:
        pending.append(row)
        if len(pending) >= batch:
            conn.execute(insert(table), pending)
            done, pending = done + len(pending), []
    if pending:
        conn.execute(insert(table), pending)
        done += len(pending)
    return done


@contextmanager
def _fast_sqlite_load(engine: Engine) -> Iterator[None]:
    """On SQLite, load through a rollback journal instead of the WAL when nobody else reads.

    A transaction of a few hundred MB would otherwise be written twice (into the WAL, then
    checkpointed into the file); pages appended to the file need no journal at all. The rollback
    journal keeps the load atomic, and WAL mode is restored for the server afterwards. While
    another connection is open the switch is refused, and the load goes through the WAL.
    """
    if engine.dialect.name != "sqlite":
        yield
        return
    engine.dispose()  # our own idle pooled connections would block the switch
    switched = _set_journal_mode(engine, "DELETE")
    try:
        yield
    finally:
        if switched:
            engine.dispose()
            _set_journal_mode(engine, "WAL")


def _set_journal_mode(engine: Engine, mode: str) -> bool:
    with engine.connect() as conn:
        conn.exec_driver_sql("PRAGMA busy_timeout=0")
        try:
            now = conn.exec_driver_sql(f"PRAGMA journal_mode={mode}").scalar()
        except OperationalError:
            now = None
        finally:
            conn.exec_driver_sql("PRAGMA busy_timeout=10000")
    return str(now).lower() == mode.lower()


def bulk_seed(
    engine: Engine,
    *,
    users: int,
    spaces: int,
    posts: int,
    comments: int,
    member_emails: Sequence[str] = (),
    seed: int = 7,
    batch: int = 10_000,
    report: Callable[[str], None] | None = None,
) -> BulkResult:
    """Insert synthetic people, spaces, memberships, posts and comments in one transaction."""
    rng = random.Random(seed)
    now = utcnow()
    result = BulkResult(report=report) if report else BulkResult()
    with _fast_sqlite_load(engine), engine.begin() as conn:
        if engine.dialect.name == "sqlite":
            # Keep the index pages of the load in memory (about 256 MB at most) until commit.
            conn.exec_driver_sql("PRAGMA cache_size=-262144")
        user_ids = _seed_users(conn, result, users, now)
        space_ids = _seed_spaces(conn, result, spaces, now)
        _seed_memberships(conn, result, space_ids, user_ids, member_emails, now, rng)
        if not space_ids or not user_ids:
            return result
        counts = comment_counts(posts, comments, rng)
        post_ids, post_times = _seed_posts(conn, result, space_ids, user_ids, counts, now, batch)
        _seed_comments(conn, result, post_ids, post_times, user_ids, counts, now, batch)
        if counts and counts[0] == SHOWCASE_COMMENTS:
            result.showcase_post_id = post_ids[0]
    return result


def _ids(values: Iterable[int | None]) -> list[int]:
    return [int(v) for v in values if v is not None]


def _next_id(conn: Connection, column: Any) -> int:
    return int(conn.execute(select(func.coalesce(func.max(column), 0))).scalar_one()) + 1


def _seed_users(conn: Connection, result: BulkResult, users: int, now: datetime) -> list[int]:
    start = _next_id(conn, User.id)
    password = hash_password(f"bench-{random.random()}")  # nobody signs in as a synthetic person
    with _phase(result, "people", users):
        rows = (
            {
                "email": f"bench{start + i}@agora.local",
                "handle": f"bench{start + i}",
                "display_name": f"Bench Person {start + i}",
                "title": "",
                "department": "",
                "password_hash": password,
                "site_role": "member",
                "is_leader": i % 50 == 0,
                "leader_title": "",
                "locale": "en",
                "time_zone": "Europe/Berlin",
                "is_active": True,
                "created_at": now,
            }
            for i in range(users)
        )
        result.users = _insert_in_batches(conn, User, rows, 5000)
    # Synthetic people write and join; without any, everybody already there does.
    query = select(col(User.id)).where(col(User.id) >= start) if users else select(col(User.id))
    return _ids(conn.execute(query).scalars())


def _seed_spaces(conn: Connection, result: BulkResult, spaces: int, now: datetime) -> list[int]:
    start = _next_id(conn, Space.id)
    slugs = [f"bench-space-{start + i}" for i in range(spaces)]
    with _phase(result, "spaces", spaces):
        rows = (
            {
                "slug": slug,
                "name": f"Bench space {start + i}",
                "description": "Synthetic space",
                # public / private / secret in turn; secret ones can only be joined by invitation
                "visibility": (Visibility.public, Visibility.private, Visibility.secret)[i % 3],
                "join_policy": "open" if i % 3 == 0 else "invite",
                "created_at": now,
            }
            for i, slug in enumerate(slugs)
        )
        result.spaces = _insert_in_batches(conn, Space, rows, 5000)
    query = select(col(Space.slug), col(Space.id)).where(col(Space.slug).in_(slugs))
    by_slug = {slug: space_id for slug, space_id in conn.execute(query) if space_id is not None}
    return [by_slug[slug] for slug in slugs]


def _seed_memberships(
    conn: Connection,
    result: BulkResult,
    space_ids: list[int],
    user_ids: list[int],
    member_emails: Sequence[str],
    now: datetime,
    rng: random.Random,
) -> None:
    emails = {e.strip().lower() for e in member_emails}
    named = _ids(conn.execute(select(col(User.id)).where(col(User.email).in_(emails))).scalars())
    if len(named) != len(emails):
        raise Invalid(f"Unknown person among {', '.join(member_emails)}", field="member")
    rows: list[dict[str, Any]] = []
    for n, space_id in enumerate(space_ids):
        members = rng.sample(user_ids, min(len(user_ids), MEMBERS_PER_SPACE))
        members += [uid for uid in named if n < SPACES_PER_MEMBER and uid not in members]
        rows += [
            {
                "space_id": space_id,
                "user_id": uid,
                "role": MemberRole.host if k == 0 else MemberRole.member,
                "state": MemberState.active,
                "created_at": now,
                "joined_at": now,
            }
            for k, uid in enumerate(members)
        ]
    with _phase(result, "memberships", len(rows)):
        _insert_in_batches(conn, Membership, iter(rows), 5000)


def _post_kind(i: int) -> PostKind:
    if i % 97 == 1:
        return PostKind.announcement
    return PostKind.question if i % 7 == 3 else PostKind.discussion


def _seed_posts(
    conn: Connection,
    result: BulkResult,
    space_ids: list[int],
    user_ids: list[int],
    counts: list[int],
    now: datetime,
    batch: int,
) -> tuple[list[int], list[datetime]]:
    pools = make_pools()
    # Plain sentences: rendered once per pooled text, not once per row.
    bodies = [(body, render_markdown(body)) for body in pools.bodies]
    posts = len(counts)
    times = [now - POST_SPACING * (posts - i) for i in range(posts)]
    first_id = _next_id(conn, col(Post.id))
    with _phase(result, "posts", posts):
        for start in range(0, posts, batch):
            rows = [
                {
                    # post 0 (the showcase) lands in the first space, which is public
                    "space_id": space_ids[i % len(space_ids)],
                    "author_id": user_ids[i % len(user_ids)],
                    "kind": _post_kind(i),
                    # Unique within the load: the ids are read back by title below.
                    "title": f"{pools.titles[i % len(pools.titles)]} #{i}",
                    "body": bodies[i % len(bodies)][0],
                    "body_html": bodies[i % len(bodies)][1],
                    "created_at": times[i],
                    "published_at": times[i],
                    "announced_at": times[i],  # already out: the publishing job must skip them
                    "comment_count": counts[i],
                }
                for i in range(start, min(posts, start + batch))
            ]
            conn.execute(insert(Post), rows)
        # Posts by leaders carry the mark leaders' voices look for (see Post.by_leader).
        leaders = select(col(User.id)).where(col(User.is_leader).is_(True))
        conn.execute(
            update(Post)
            .where(col(Post.id) >= first_id, col(Post.author_id).in_(leaders))
            .values(by_leader=True)
        )
        # Read the ids back by title (unique within this load): RETURNING in order is much slower.
        query = select(col(Post.title), col(Post.id)).where(col(Post.id) >= first_id)
        by_title = {title: post_id for title, post_id in conn.execute(query) if post_id}
        post_ids = [by_title[f"{pools.titles[i % len(pools.titles)]} #{i}"] for i in range(posts)]
    result.posts = len(post_ids)
    return post_ids, times


def _seed_comments(
    conn: Connection,
    result: BulkResult,
    post_ids: list[int],
    post_times: list[datetime],
    user_ids: list[int],
    counts: list[int],
    now: datetime,
    batch: int,
) -> None:
    texts = [(text, render_markdown(text)) for text in make_pools().comments]

    def rows() -> Iterator[dict[str, Any]]:
        for i, n in enumerate(counts):
            # A post's comments come after it at a steady pace, and none after "now".
            gap = (now - post_times[i]) / (n + 1)
            for k in range(n):
                body, html = texts[(i * 7 + k) % len(texts)]
                yield {
                    "post_id": post_ids[i],
                    "author_id": user_ids[(i + k) % len(user_ids)],
                    "body": body,
                    "body_html": html,
                    "created_at": post_times[i] + gap * (k + 1),
                }

    with _phase(result, "comments", sum(counts)):
        result.comments = _insert_in_batches(conn, Comment, rows(), batch)
