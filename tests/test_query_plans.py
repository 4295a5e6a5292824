"""Plans that must not depend on what the planner's statistics happen to say.

Run on a SQLite file of their own whatever database the suite uses: SQLite is the engine that
plans from statistics a person can change by hand (a full ANALYZE in the shell drops the rows
Agora writes for empty tables), and the same statements run on PostgreSQL unchanged.
"""

from pathlib import Path

import pytest
from sqlalchemy import Engine
from sqlmodel import SQLModel

import app.models  # noqa: F401  (every table, for create_all)
from app.community.announcements import _home_pins_statement
from app.db import make_engine, refresh_planner_statistics, utcnow
from app.demo_bulk import bulk_seed


@pytest.fixture(scope="module")
def sqlite_with_posts(tmp_path_factory: pytest.TempPathFactory) -> Engine:
    path: Path = tmp_path_factory.mktemp("plans") / "agora.db"
    engine = make_engine(f"sqlite:///{path}")
    SQLModel.metadata.create_all(engine)
    bulk_seed(engine, users=40, spaces=20, posts=4000, comments=0)
    return engine


def _plan(engine: Engine, statement, params: dict) -> list[str]:
    compiled = statement.compile(dialect=engine.dialect)
    values = {**compiled.params, **params}
    with engine.connect() as conn:
        rows = conn.exec_driver_sql(
            "EXPLAIN QUERY PLAN " + str(compiled),
            tuple(values[name] for name in compiled.positiontup),
        ).all()
    return [row[-1] for row in rows]


@pytest.mark.parametrize("analyse", ["agora", "by hand"])
def test_home_pins_start_from_the_pins_not_from_every_public_post(sqlite_with_posts, analyse):
    with sqlite_with_posts.begin() as conn:
        conn.exec_driver_sql("DROP TABLE IF EXISTS sqlite_stat1")
    if analyse == "agora":
        refresh_planner_statistics(sqlite_with_posts, sample_rows=None)
    else:
        with sqlite_with_posts.begin() as conn:
            conn.exec_driver_sql("ANALYZE")

    plan = _plan(sqlite_with_posts, _home_pins_statement(), {"now": utcnow()})

    reads = [line for line in plan if line.startswith(("SCAN", "SEARCH"))]
    assert "site_pins" in reads[0], plan
    assert not any("posts" in line and "PRIMARY KEY" not in line for line in reads), plan


def test_leaders_voices_read_the_leaders_posts_index_not_every_post(sqlite_with_posts):
    from app.recognition.panels import _voices_branch

    refresh_planner_statistics(sqlite_with_posts, sample_rows=None)

    plan = _plan(sqlite_with_posts, _voices_branch(), {"now": utcnow(), "viewer_id": 1})

    posts = [line for line in plan if " posts " in f" {line} "]
    assert posts and all("ix_posts_leader_published" in line for line in posts), plan
