"""Health figures, the review queue and the showcase on a large dataset: time and query counts.

Uses AGORA_BENCH_DATABASE_URL (a PostgreSQL database that may be wiped) or a fresh SQLite file.
Sizes come from BENCH_USERS / BENCH_POSTS / BENCH_COMMENTS.
"""

import os
import statistics
import tempfile
import time
from collections.abc import Callable
from typing import Any


def _setup() -> None:
    folder = tempfile.mkdtemp(prefix="agora-bench-")
    url = os.environ.get("AGORA_BENCH_DATABASE_URL") or f"sqlite:///{folder}/bench.db"
    os.environ["AGORA_DATABASE_URL"] = url
    os.environ["AGORA_ENV"] = "test"
    os.environ["AGORA_SEED_DEMO"] = "0"
    from app.core.config import get_settings
    from app.core.db import get_engine
    from tests.dbutil import reset_database

    get_settings.cache_clear()
    get_engine.cache_clear()
    reset_database(url)


def _measure(label: str, action: Callable[[], Any], runs: int = 5) -> None:
    from sqlalchemy import event

    from app.core.db import get_engine

    statements: list[str] = []

    def count(*_args: Any) -> None:
        statements.append("q")

    engine = get_engine()
    timings = []
    for run in range(runs):
        if run == runs - 1:
            event.listen(engine, "before_cursor_execute", count)
        started = time.perf_counter()
        action()
        timings.append((time.perf_counter() - started) * 1000)
    event.remove(engine, "before_cursor_execute", count)
    print(
        f"{label:<44} median {statistics.median(timings):8.1f} ms   "
        f"max {max(timings):8.1f} ms   queries {len(statements)}",
        flush=True,
    )


def main() -> None:
    _setup()
    from sqlalchemy import text
    from sqlmodel import Session, col, func, select

    from app.cli import run_migrations
    from app.core.db import get_engine
    from app.demo.bulk import bulk_seed
    from app.health import service as health
    from app.moderation import review
    from app.people.service import create_user
    from app.posts.models import Comment, Post
    from app.showcase import service as showcase
    from app.spaces.models import Membership, Space

    users = int(os.environ.get("BENCH_USERS", "2000"))
    posts = int(os.environ.get("BENCH_POSTS", "20000"))
    comments = int(os.environ.get("BENCH_COMMENTS", "80000"))
    run_migrations()
    started = time.perf_counter()
    bulk_seed(get_engine(), users=users, spaces=30, posts=posts, comments=comments)
    print(f"seeded {users} people, {posts} posts, {comments} comments "
          f"in {time.perf_counter() - started:.0f} s", flush=True)  # fmt: skip
    with get_engine().begin() as conn:  # fresh statistics, as autovacuum would have by now
        conn.execute(text("ANALYZE"))

    with Session(get_engine(), expire_on_commit=False) as session:
        admin = create_user(session, email="bench-admin@agora.local", display_name="A", admin=True)
        busiest = session.exec(
            select(Space, func.count(col(Post.id)))
            .join(Post, col(Post.space_id) == Space.id)
            .where(Space.visibility == "public")
            .group_by(col(Space.id))
            .order_by(func.count(col(Post.id)).desc())
        ).first()
        assert busiest is not None
        space, space_posts = busiest
        host_id = session.exec(
            select(Membership.user_id).where(
                Membership.space_id == space.id, Membership.role == "host"
            )
        ).first()
        session.commit()
        print(
            f"space {space.slug}: {space_posts} posts; all: "
            f"{session.exec(select(func.count()).select_from(Post)).one()} posts, "
            f"{session.exec(select(func.count()).select_from(Comment)).one()} comments",
            flush=True,
        )
        host = session.get(type(admin), host_id)
        assert host is not None
        for weeks in (4, 26):
            _measure(
                f"space health, {weeks} weeks",
                lambda w=weeks: health.health_report(session, space_ids=[space.id], weeks=w),
            )
            _measure(
                f"site health (admin), {weeks} weeks",
                lambda w=weeks: health.health_report(
                    session, space_ids=health.eligible_space_ids(admin), weeks=w
                ),
            )
        _measure("site health, who=members", lambda: health.health_report(
            session, space_ids=health.eligible_space_ids(admin), who="members"))  # fmt: skip
        _measure("review queue (host)", lambda: review.review_queue(session, user=host))
        _measure("showcase page (admin)", lambda: showcase.showcase_page(session, user=admin))
    get_engine().dispose()


if __name__ == "__main__":
    main()
