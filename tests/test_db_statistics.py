"""The query planner is told the tables' sizes: after migrations, bulk loads and periodically."""

import pytest
from sqlmodel import Session

from app import jobs
from app.core.db import get_engine, refresh_planner_statistics, refresh_statistics_job
from tests.factories import make_post, make_space, make_user


def _is_sqlite(session: Session) -> bool:
    return session.get_bind().dialect.name == "sqlite"


def _described_tables(session: Session) -> set[str]:
    rows = session.connection().exec_driver_sql("SELECT DISTINCT tbl FROM sqlite_stat1").all()
    return {row[0] for row in rows}


def test_statistics_describe_the_stream_tables(session):
    author = make_user(session)
    make_post(session, author=author, space=make_space(session, host=author))
    session.commit()
    if _is_sqlite(session):
        session.connection().exec_driver_sql("DELETE FROM sqlite_stat1")
        session.commit()
        assert "posts" not in _described_tables(session)

    refresh_planner_statistics(get_engine(), sample_rows=None)

    if _is_sqlite(session):
        assert {"posts", "memberships", "spaces", "users"} <= _described_tables(session)
    else:  # PostgreSQL records when it last analysed a table
        analysed = session.connection().exec_driver_sql(
            "SELECT count(*) FROM pg_stat_user_tables WHERE relname = 'posts'"
        )
        assert analysed.scalar_one() == 1


def test_the_periodic_job_is_registered_and_runs_on_sqlite_only(session):
    assert "refresh_planner_statistics" in {job.name for job in jobs.JOBS}
    author = make_user(session)
    make_post(session, author=author, space=make_space(session, host=author))
    session.commit()
    if _is_sqlite(session):
        session.connection().exec_driver_sql("DELETE FROM sqlite_stat1")
    did = refresh_statistics_job(session)
    session.commit()
    assert did == (1 if _is_sqlite(session) else 0)
    if _is_sqlite(session):
        assert "posts" in _described_tables(session)


def test_empty_tables_are_described_as_small_not_unknown(session):
    if not _is_sqlite(session):
        pytest.skip("SQLite only: PostgreSQL estimates empty tables on its own")
    session.connection().exec_driver_sql("DELETE FROM sqlite_stat1")
    session.commit()

    refresh_planner_statistics(get_engine())

    rows = session.connection().exec_driver_sql(
        "SELECT idx, stat FROM sqlite_stat1 WHERE tbl = 'site_pins'"
    )
    assert rows.all() == [(None, "1")]


def test_pooled_sqlite_connections_are_reopened_so_new_statistics_are_used(tmp_path, monkeypatch):
    import time

    from app.core import db

    monkeypatch.setattr(db, "SQLITE_RECYCLE_SECONDS", 1)
    engine = db.make_engine(f"sqlite:///{tmp_path / 'recycle.db'}", pool_size=1, max_overflow=0)

    def same_connection_as_before() -> bool:
        # A temporary table lives only as long as the connection that made it.
        with engine.connect() as conn:
            found = conn.exec_driver_sql("SELECT count(*) FROM sqlite_temp_master").scalar()
            conn.exec_driver_sql("CREATE TEMP TABLE IF NOT EXISTS marker (x INTEGER)")
            return bool(found)

    assert not same_connection_as_before()
    assert same_connection_as_before()  # reused while young
    time.sleep(1.2)
    assert not same_connection_as_before()  # reopened: it reads the statistics as they are now
    engine.dispose()
