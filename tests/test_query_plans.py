"""Plans that must not depend on what the planner's statistics happen to say.

Run on a SQLite file of their own whatever database the suite uses: SQLite is the engine that
plans from statistics a person can change by hand (a full ANALYZE in the shell drops the rows
Agora writes for empty tables), and the same statements run on PostgreSQL unchanged.
"""

from pathlib import Path

import pytest
from sqlalchemy import Engine, event
from sqlmodel import SQLModel

import app.models  # noqa: F401  (every table, for create_all)
from app.announcements.service import _pinned_posts_statement, _pins_in_force_statement
from app.core.db import make_engine, refresh_planner_statistics, utcnow
from app.demo.bulk import bulk_seed


@pytest.fixture(scope="module")
def sqlite_with_posts(tmp_path_factory: pytest.TempPathFactory) -> Engine:
    path: Path = tmp_path_factory.mktemp("plans") / "agora.db"
    engine = make_engine(f"sqlite:///{path}")
    SQLModel.metadata.create_all(engine)
    bulk_seed(engine, users=40, spaces=20, posts=4000, comments=0)
    return engine


def _plan(engine: Engine, statement, params: dict) -> list[str]:
    """SQLite's plan for the statement as the app runs it (same binding, same final SQL)."""

    sent: list[tuple[str, tuple]] = []

    def capture(_conn, _cursor, sql, parameters, _context, _many):
        sent.append((sql, tuple(parameters)))

    # A pooled connection keeps the statistics it read when it opened: plan on a fresh one.
    engine.dispose()
    event.listen(engine, "before_cursor_execute", capture)
    try:
        with engine.connect() as conn:
            conn.execute(statement, params).all()
    finally:
        event.remove(engine, "before_cursor_execute", capture)
    with engine.connect() as conn:
        (sql, parameters), *_ = sent
        rows = conn.exec_driver_sql("EXPLAIN QUERY PLAN " + sql, parameters).all()
    return [row[-1] for row in rows]


def _with_statistics(engine: Engine, statistics: str) -> None:
    """Agora's statistics, a hand-run ANALYZE (which leaves empty tables undescribed), or none."""
    with engine.begin() as conn:
        conn.exec_driver_sql("DROP TABLE IF EXISTS sqlite_stat1")
    if statistics == "agora":
        refresh_planner_statistics(engine, sample_rows=None)
    elif statistics == "by hand":
        with engine.begin() as conn:
            conn.exec_driver_sql("ANALYZE")


@pytest.mark.parametrize("analyse", ["agora", "by hand", "none"])
def test_pinned_announcements_are_read_by_id_not_found_among_every_public_post(
    sqlite_with_posts, analyse
):
    _with_statistics(sqlite_with_posts, analyse)  # by hand: site_pins left undescribed

    pins = _plan(sqlite_with_posts, _pins_in_force_statement(), {"now": utcnow()})
    posts = _plan(
        sqlite_with_posts, _pinned_posts_statement(), {"now": utcnow(), "post_ids": [1, 2]}
    )

    assert all("posts" not in line for line in pins), pins
    reads = [line for line in posts if " posts " in f" {line} "]
    assert reads and all("PRIMARY KEY" in line for line in reads), posts


@pytest.mark.parametrize("statistics", ["agora", "none"])
def test_leaders_voices_read_the_leaders_posts_index_not_every_post(sqlite_with_posts, statistics):
    from app.recognition.panels import _voices_branch

    _with_statistics(sqlite_with_posts, statistics)

    plan = _plan(sqlite_with_posts, _voices_branch(), {"now": utcnow(), "viewer_id": 1})

    posts = [line for line in plan if " posts " in f" {line} "]
    assert posts and all("ix_posts_leader_published" in line for line in posts), plan


@pytest.mark.parametrize("statistics", ["agora", "by hand", "none"])
def test_home_showcase_walks_the_featured_entries_not_every_readable_post(
    sqlite_with_posts, statistics
):
    from app.showcase.service import _newest_statement

    _with_statistics(sqlite_with_posts, statistics)

    params = {"now": utcnow(), "viewer_id": 1, "limit": 3}
    plan = _plan(sqlite_with_posts, _newest_statement(), params)

    posts = [line for line in plan if " posts " in f" {line} "]
    assert posts and all("PRIMARY KEY" in line for line in posts), plan


@pytest.mark.parametrize("statistics", ["agora", "by hand", "none"])
@pytest.mark.parametrize("paged", [False, True])
def test_home_stream_passes_over_other_spaces_posts_without_reading_their_rows(
    sqlite_with_posts, statistics, paged
):
    """The home stream keeps the posts of the reader's spaces, newest first. Walking every
    post by time must not read the row of each post it passes over (that grew with the
    number of spaces the reader is not in); a walk per space of theirs reads only theirs."""
    from app.posts.streams import _home_statement

    _with_statistics(sqlite_with_posts, statistics)

    params = {"now": utcnow(), "viewer_id": 1, "limit": 21}
    if paged:
        params |= {"after_at": utcnow(), "after_id": 10**9}
    plan = _plan(sqlite_with_posts, _home_statement(paged), params)

    walks = [line for line in plan if "ix_posts_published" in line]
    assert all("COVERING INDEX" in line for line in walks), plan
    assert not any(line.startswith("SCAN posts") for line in plan), plan


@pytest.mark.parametrize("statistics", ["agora", "by hand", "none"])
def test_readable_spaces_come_from_the_public_and_membership_indexes_not_every_space(
    sqlite_with_posts, statistics
):
    """The read rule is public spaces or the reader's memberships. As one OR over spaces, the
    database tested every space of the site, again at each use; the home panel uses it five
    times. Read as two lists, it costs the public spaces and the reader's memberships."""
    from app.recognition.panels import _home_statement

    _with_statistics(sqlite_with_posts, statistics)

    params = {"now": utcnow(), "viewer_id": 1, "slot": 0}
    params |= {"mark_users": [1, 2], "mark_spaces": [1, 2]}
    plan = _plan(sqlite_with_posts, _home_statement(True), params)

    spaces = [line for line in plan if " spaces " in f" {line} "]
    assert spaces and not any(line.startswith("SCAN spaces") for line in spaces), plan
    lists = [line for line in spaces if "ix_spaces_visibility" in line]
    assert lists and all("visibility=?" in line for line in lists), plan
