"""Round trips a request spends on PostgreSQL before its own work (app.core.db, app.core.security).

A write on PostgreSQL cost about 20 round trips, and the app's CPU per write was nearly twice
SQLite's: each is a system call on both sides, on a machine whose one core carries the app and
the database. These pin what was cut: pings only for connections that sat idle, and the caller's
lookup read outside a transaction (no BEGIN, no ROLLBACK).
"""

import pytest
from sqlalchemy import event, text
from sqlmodel import select

from app.core import db
from app.core.db import get_engine, make_engine
from app.people.models import User
from app.people.service import create_user
from tests.conftest import TEST_DATABASE_URL
from tests.factories import make_post, make_space, make_token, make_user

POSTGRESQL_ONLY = pytest.mark.skipif(
    not TEST_DATABASE_URL.startswith("postgresql"), reason="PostgreSQL's connections"
)


@POSTGRESQL_ONLY
def test_a_connection_in_steady_use_is_not_pinged_and_an_idle_one_is(monkeypatch):
    engine = make_engine(TEST_DATABASE_URL, pool_size=1, max_overflow=0)
    pings: list[object] = []
    monkeypatch.setattr(engine.dialect, "do_ping", lambda connection: pings.append(connection))
    try:
        for _ in range(3):
            with engine.connect() as conn:
                conn.execute(text("SELECT 1"))
        assert pings == []
        monkeypatch.setattr(db, "PING_AFTER_IDLE_SECONDS", 0.0)
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        assert len(pings) == 1
    finally:
        engine.dispose()


@POSTGRESQL_ONLY
def test_an_idle_connection_the_server_dropped_is_replaced_before_use(monkeypatch):
    engine = make_engine(TEST_DATABASE_URL, pool_size=1, max_overflow=0)
    try:
        with engine.connect() as conn:
            dropped = conn.execute(text("SELECT pg_backend_pid()")).scalar()
        with get_engine().connect() as other:
            other.execute(text("SELECT pg_terminate_backend(:pid, 5000)"), {"pid": dropped})
        monkeypatch.setattr(db, "PING_AFTER_IDLE_SECONDS", 0.0)
        with engine.connect() as conn:
            assert conn.execute(text("SELECT pg_backend_pid()")).scalar() != dropped
    finally:
        engine.dispose()


@POSTGRESQL_ONLY
def test_the_callers_lookup_runs_outside_a_transaction_and_the_write_inside_one(client, session):
    author = make_user(session)
    space = make_space(session, host=author)
    post = make_post(session, space=space, author=author)
    bearer = {"Authorization": f"Bearer {make_token(session, user=author)}"}
    seen: list[tuple[bool, str]] = []

    def before(conn, _cursor, statement, *_args):  # type: ignore[no-untyped-def]
        autocommit = conn.connection.driver_connection.autocommit
        seen.append((autocommit, statement.split()[0] + " " + statement.split("FROM")[-1][:40]))

    engine = get_engine()
    event.listen(engine, "before_cursor_execute", before)
    try:
        response = client.post(
            f"/api/v1/posts/{post.id}/comments", json={"body": "Hello"}, headers=bearer
        )
    finally:
        event.remove(engine, "before_cursor_execute", before)
    assert response.status_code == 201, response.text
    (lookup_autocommit, lookup), *work = seen
    assert lookup_autocommit and "api_tokens" in lookup
    assert work and not any(autocommit for autocommit, _ in work)


def test_after_the_lookup_the_session_writes_in_a_transaction_again(session):
    """The lookup's connection goes back to the pool (app.core.security.hand_back); what the
    handler writes next is a transaction, rolled back whole (on SQLite the hint is a no-op)."""
    db.read_without_transaction(session)
    session.exec(select(User)).all()
    session.close()
    create_user(session, email="late@example.com", display_name="Late", password="x" * 12)
    session.rollback()
    assert session.exec(select(User)).all() == []
