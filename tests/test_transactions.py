"""How requests' transactions run (app.core.transactions): in the handler's slot,
bounded, retried."""

import threading

import pytest
from fastapi.routing import APIRoute
from sqlalchemy import create_engine, text
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlmodel import Session, select

from app.api.router import api_app
from app.core.db import get_engine, make_engine
from app.core.transactions import (
    READ,
    WRITE,
    Busy,
    TransactionalRoute,
    WriteGate,
    install_sqlite_transactions,
    run_in_transaction,
    writing,
)
from app.people.models import User
from tests.conftest import TEST_DATABASE_URL
from tests.factories import make_token, make_user

SQLITE_ONLY = pytest.mark.skipif(
    TEST_DATABASE_URL.startswith("postgresql"), reason="SQLite's transaction handling"
)
POSTGRESQL_ONLY = pytest.mark.skipif(
    not TEST_DATABASE_URL.startswith("postgresql"), reason="PostgreSQL's connection settings"
)


def _routes(routes: list) -> list[APIRoute]:  # type: ignore[type-arg]
    """Every API route, also those of included routers (kept apart since FastAPI 0.120)."""
    found: list[APIRoute] = []
    for route in routes:
        if isinstance(route, APIRoute):
            found.append(route)
        elif hasattr(route, "original_router"):
            found += _routes(route.original_router.routes)
    return found


def test_every_route_of_both_apps_commits_in_its_handlers_slot(app):
    """A router made without route_class=TransactionalRoute would commit in the teardown again."""
    routes = [r for a in (app, api_app) for r in _routes(a.router.routes)]
    assert len(routes) > 150
    stray = [r.path for r in routes if not isinstance(r, TransactionalRoute)]
    assert not stray
    plain = [r.path for r in routes if not getattr(r.endpoint, "transactional", False)]
    assert not plain, f"async handlers run their database work on the event loop: {plain}"


class _Retry(Exception):
    sqlstate = "40001"


class _Deadlock(Exception):
    sqlstate = "40P01"


def _dbapi_error(orig: Exception) -> DBAPIError:
    return DBAPIError("UPDATE posts ...", {}, orig)


def test_a_serialization_failure_is_retried_once_and_then_commits(session):
    calls: list[int] = []

    def handler(session: Session) -> str:
        calls.append(1)
        if len(calls) == 1:
            raise _dbapi_error(_Retry())
        make_user(session, name="Saved on the second try")
        return "ok"

    with Session(get_engine(), expire_on_commit=False) as request_session:
        assert run_in_transaction(handler, {"session": request_session}, mode=WRITE) == "ok"

    assert len(calls) == 2
    assert session.exec(select(User.display_name)).all() == ["Saved on the second try"]


def test_a_second_deadlock_is_not_retried_again():
    calls: list[int] = []

    def handler(session: Session) -> None:
        calls.append(1)
        raise _dbapi_error(_Deadlock())

    with (
        Session(get_engine()) as request_session,
        pytest.raises(DBAPIError),
    ):
        run_in_transaction(handler, {"session": request_session}, mode=WRITE)
    assert len(calls) == 2


def test_a_lock_wait_that_runs_out_is_a_busy_answer_and_nothing_is_kept(session):
    def handler_without_commit(session: Session) -> None:
        session.add(User(email="half@example.com", handle="half", display_name="Half"))
        session.flush()
        raise OperationalError("INSERT ...", {}, Exception("database is locked"))

    with Session(get_engine()) as request_session, pytest.raises(Busy):
        run_in_transaction(handler_without_commit, {"session": request_session}, mode=WRITE)
    assert session.exec(select(User).where(User.handle == "half")).first() is None


def test_busy_answers_503_with_retry_after_in_the_api_and_on_pages(
    app, login, session, monkeypatch
):
    from fastapi.testclient import TestClient

    from app.posts import routes, service

    user = make_user(session)
    token = make_token(session, user=user)

    def busy(*_args, **_kwargs):  # type: ignore[no-untyped-def]
        raise OperationalError("SELECT ...", {}, Exception("database is locked"))

    page_client = login(user)
    monkeypatch.setattr(service, "load_post", busy)
    with TestClient(app, headers={"Authorization": f"Bearer {token}"}) as api:
        answer = api.get("/api/v1/posts/1")
    assert (answer.status_code, answer.headers["retry-after"]) == (503, "1")
    assert "busy" in answer.json()["detail"]

    # The page reads its post as rows (app/posts/page.py), not through load_post.
    monkeypatch.setattr(routes, "read_post_page", busy)
    page = page_client.get("/posts/1")
    assert (page.status_code, page.headers["retry-after"]) == (503, "1")
    assert "busy" in page.text


@SQLITE_ONLY
def test_writers_take_turns_and_a_writer_that_waits_too_long_is_told_busy(tmp_path):
    # An engine like make_engine's, with a turn that gives up after 0.2 s.
    engine = create_engine(f"sqlite:///{tmp_path}/gate.db", connect_args={"timeout": 0.5})
    install_sqlite_transactions(engine, WriteGate(wait_seconds=0.2))
    with engine.begin() as setup:
        setup.execute(text("CREATE TABLE t (n INTEGER)"))
    held = threading.Event()
    release = threading.Event()

    def first_writer() -> None:
        with writing(), engine.begin() as conn:
            conn.execute(text("INSERT INTO t VALUES (1)"))
            held.set()
            release.wait(5)

    thread = threading.Thread(target=first_writer)
    thread.start()
    assert held.wait(5)
    try:
        with writing(), pytest.raises(Busy), engine.begin() as conn:
            conn.execute(text("INSERT INTO t VALUES (2)"))
    finally:
        release.set()
        thread.join(5)
    # The turn came back when the first writer's connection returned to the pool.
    with writing(), engine.begin() as conn:
        conn.execute(text("INSERT INTO t VALUES (3)"))
    with engine.connect() as conn:
        assert [n for (n,) in conn.execute(text("SELECT n FROM t ORDER BY n"))] == [1, 3]
    engine.dispose()


@SQLITE_ONLY
def test_writers_begin_immediate_and_readers_begin_nothing(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path}/modes.db")
    seen: list[str] = []

    def record(_conn, _cursor, statement, *_args):  # type: ignore[no-untyped-def]
        seen.append(
            statement.split()[0].upper() + (" IMMEDIATE" if "IMMEDIATE" in statement else "")
        )

    from sqlalchemy import event

    event.listen(engine, "before_cursor_execute", record)
    with engine.connect() as conn:
        conn.execute(text("SELECT 1"))
        conn.commit()
    with writing(), engine.connect() as conn:
        conn.execute(text("SELECT 1"))
        conn.commit()
    assert seen == ["SELECT", "BEGIN IMMEDIATE", "SELECT"]
    engine.dispose()


@SQLITE_ONLY
def test_a_reader_sees_each_new_commit_and_may_write_after_reading(tmp_path):
    """No snapshot is held between a reader's statements: a write after them never fails for a
    commit that happened in between (SQLite's SQLITE_BUSY_SNAPSHOT)."""
    engine = make_engine(f"sqlite:///{tmp_path}/reader.db")
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE t (n INTEGER)"))
    with engine.connect() as reader:
        assert reader.execute(text("SELECT count(*) FROM t")).scalar() == 0
        with writing(), engine.begin() as other:
            other.execute(text("INSERT INTO t VALUES (1)"))
        assert reader.execute(text("SELECT count(*) FROM t")).scalar() == 1
        reader.execute(text("INSERT INTO t VALUES (2)"))
        reader.rollback()
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM t")).scalar() == 1
    engine.dispose()


@SQLITE_ONLY
def test_a_writing_handler_begins_immediate_and_a_reading_one_does_not(session):
    modes: list[bool] = []

    def handler(session: Session) -> None:
        session.exec(select(User)).all()
        conn = session.connection()
        modes.append(conn.connection.driver_connection.in_transaction)  # type: ignore[union-attr]

    for mode in (WRITE, READ):
        with Session(get_engine()) as request_session:
            run_in_transaction(handler, {"session": request_session}, mode=mode)
    assert modes == [True, False]


@POSTGRESQL_ONLY
def test_postgresql_connections_bound_lock_waits_and_idle_transactions():
    with get_engine().connect() as conn:
        assert conn.execute(text("SHOW lock_timeout")).scalar() == "10s"
        assert conn.execute(text("SHOW idle_in_transaction_session_timeout")).scalar() == "1min"
