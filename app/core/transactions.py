"""A request's transaction: run, committed and released inside the handler's own thread slot.

Why this exists: FastAPI ran a sync handler in one thread slot and committed the request's
session later, in the dependency's teardown, after it had validated the response model in
*another* slot. Once every slot held a handler waiting for a lock that an answered-but-not-yet-
committed request still held, nothing could commit: SQLite broke the jam with "database is
locked" after its busy timeout, PostgreSQL hung for good. So every route of Agora is a
`TransactionalRoute`: its sync handler runs, and the session commits (or rolls back) in that same
thread call, before the slot is released. Nothing the request holds outlives its slot.

On SQLite a handler of a writing method (POST, PUT, PATCH, DELETE) and every background job
takes the write lock up front (`BEGIN IMMEDIATE`, SQLAlchemy's documented recipe for pysqlite):
a deferred transaction that reads first and writes later fails at once, busy timeout or not,
when another writer committed in between. Readers send no BEGIN at all until they write, so
they never wait and hold no snapshot. Writers of one process queue on `WriteGate`, a lock they
hold from BEGIN to the connection's return, so the next one starts the moment the lock is free
instead of polling in SQLite's busy handler.
"""

import functools
import inspect
import logging
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from fastapi.routing import APIRoute
from sqlalchemy import Engine, event
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlmodel import Session

from app.core.errors import DomainError
from app.core.i18n import N_

log = logging.getLogger(__name__)

WRITING_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
# PostgreSQL asks the client to run the transaction again: serialization failure, deadlock.
RETRY_SQLSTATES = frozenset({"40001", "40P01"})
# How long a writer waits for its turn in this process before the request answers 503.
GATE_WAIT_SECONDS = 10.0

# How a handler's session begins on SQLite: READ sends no BEGIN until the first write (then a
# deferred one, which waits its turn: it holds no older snapshot); WRITE sends BEGIN IMMEDIATE.
READ, WRITE = "read", "write"
_writing: ContextVar[bool] = ContextVar("agora_writing", default=False)
_request_session: ContextVar[Session | None] = ContextVar("agora_request_session", default=None)


class Busy(DomainError):
    """The database stayed busy longer than a request may wait: try again shortly."""

    status_code = 503

    def __init__(self, message: str = N_("Agora is busy right now. Please try again.")) -> None:
        super().__init__(message)


@contextmanager
def writing() -> Iterator[None]:
    """Transactions begun inside this block write: on SQLite they take the write lock first."""
    token = _writing.set(True)
    try:
        yield
    finally:
        _writing.reset(token)


def is_writing() -> bool:
    return _writing.get()


# --- SQLite: BEGIN IMMEDIATE for writers, one writer of this process at a time ------------


class WriteGate:
    """A process-wide turn for SQLite writers, held from BEGIN IMMEDIATE until the connection
    goes back to the pool (after its COMMIT or ROLLBACK). The owner thread is remembered so a
    nested transaction in the same thread does not wait for itself."""

    _HOLDS = "agora_write_gate"

    def __init__(self, wait_seconds: float = GATE_WAIT_SECONDS) -> None:
        self._lock = threading.Lock()
        self._owner: int | None = None
        self.wait_seconds = wait_seconds

    def held_by_this_thread(self) -> bool:
        return self._owner == threading.get_ident()

    def enter(self, info: dict[Any, Any]) -> None:
        if not self._lock.acquire(timeout=self.wait_seconds):
            raise Busy()
        self._owner = threading.get_ident()
        info[self._HOLDS] = True

    def leave(self, info: dict[Any, Any]) -> None:
        if info.pop(self._HOLDS, False):
            self._owner = None
            self._lock.release()

    def holds(self, info: dict[Any, Any]) -> bool:
        return bool(info.get(self._HOLDS))


def install_sqlite_transactions(engine: Engine, gate: WriteGate | None = None) -> WriteGate:
    """Writers begin IMMEDIATE, in turn; readers begin nothing until they write.

    A reading transaction sends no BEGIN: each of its SELECTs sees the latest commit and holds
    no snapshot, as the driver always did. Should it write after all (a job, a script, a test),
    it begins right before its first write, deferred, as the driver did too. Writers (writing
    requests, jobs) send BEGIN IMMEDIATE when they begin, after taking this process's turn."""
    gate = gate or WriteGate()

    @event.listens_for(engine, "connect")
    def _driver_leaves_transactions_to_us(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None

    @event.listens_for(engine, "begin")
    def _begin(conn: Any) -> None:
        if gate.holds(conn.info):
            conn.exec_driver_sql("BEGIN IMMEDIATE")
        elif _writing.get() and not gate.held_by_this_thread():
            gate.enter(conn.info)
            try:
                conn.exec_driver_sql("BEGIN IMMEDIATE")
            except BaseException:
                gate.leave(conn.info)
                raise
        else:
            conn.info[_LATE_BEGIN] = True

    @event.listens_for(engine, "commit")
    @event.listens_for(engine, "rollback")
    def _ended(conn: Any) -> None:
        conn.info.pop(_LATE_BEGIN, None)

    @event.listens_for(engine, "before_cursor_execute")
    def _begin_before_first_write(conn: Any, cursor: Any, statement: str, *_args: Any) -> None:
        if conn.info.get(_LATE_BEGIN) and statement.lstrip()[:9].upper().startswith(_WRITES):
            cursor.execute("BEGIN")
            conn.info[_LATE_BEGIN] = False

    @event.listens_for(engine, "checkin")
    def _returned(_dbapi_connection: Any, record: Any) -> None:
        record.info.pop(_LATE_BEGIN, None)
        gate.leave(record.info)

    @event.listens_for(engine, "invalidate")
    def _invalidated(_dbapi_connection: Any, record: Any, _exc: Any) -> None:
        record.info.pop(_LATE_BEGIN, None)
        gate.leave(record.info)

    return gate


_LATE_BEGIN = "agora_begin_before_first_write"
_WRITES = ("INSERT", "UPDATE", "DELETE", "REPLACE", "SAVEPOINT")


# --- PostgreSQL: every wait bounded --------------------------------------------------------


def postgres_options(*, lock_timeout_ms: int, idle_in_transaction_ms: int) -> str:
    """Server settings for each connection: a lock wait or a forgotten transaction ends with an
    error instead of hanging the process (and every request behind it)."""
    return (
        f"-c lock_timeout={lock_timeout_ms}"
        f" -c idle_in_transaction_session_timeout={idle_in_transaction_ms}"
    )


def _retryable(error: DBAPIError) -> bool:
    return getattr(error.orig, "sqlstate", None) in RETRY_SQLSTATES


def _busy(error: OperationalError) -> bool:
    # SQLite's busy timeout ran out, or PostgreSQL's lock_timeout (55P03).
    return "database is locked" in str(error.orig) or getattr(error.orig, "sqlstate", "") == "55P03"


# --- The route --------------------------------------------------------------------------------


def commit_before_rendering() -> None:
    """Called by the page renderer: a writing request's work is done once it renders, so its
    locks are let go before the template runs rather than after."""
    session = _request_session.get()
    if session is not None and _writing.get() and session.in_transaction():
        session.commit()


def _session_of(arguments: dict[str, Any]) -> Session | None:
    for value in arguments.values():
        if isinstance(value, Session):
            return value
    return None


def run_in_transaction(
    endpoint: Callable[..., Any], arguments: dict[str, Any], *, mode: str
) -> Any:
    """Run a handler and end its session's transaction in this same thread (retried once on
    PostgreSQL's serialization failure or deadlock: nothing has been sent yet)."""
    session = _session_of(arguments)
    if session is None:
        return endpoint(**arguments)
    # What the dependencies read before the handler began ends here, so a SQLite writer starts
    # afresh with BEGIN IMMEDIATE. PostgreSQL reads committed data statement by statement: the
    # dependencies' reads and the handler share one transaction, sparing a COMMIT and a BEGIN
    # (two of a comment's ~17 round trips).
    if session.in_transaction() and session.get_bind().dialect.name != "postgresql":
        session.commit()
    writing_token = _writing.set(mode == WRITE)
    session_token = _request_session.set(session)
    try:
        for attempt in (1, 2):
            try:
                result = endpoint(**arguments)
                session.commit()
                return result
            except DBAPIError as error:
                session.rollback()
                if attempt == 1 and _retryable(error):
                    log.info("retrying a request after %s", getattr(error.orig, "sqlstate", ""))
                    continue
                if isinstance(error, OperationalError) and _busy(error):
                    raise Busy() from error
                raise
            except BaseException:
                session.rollback()
                raise
    finally:
        _request_session.reset(session_token)
        _writing.reset(writing_token)
    raise AssertionError("unreachable")  # pragma: no cover


def writes_in_steps(endpoint: Callable[..., Any]) -> Callable[..., Any]:
    """Marks a writing handler whose service commits steps of its own on other connections
    before the request's session writes (a protocol save keeps the submitted text, and the live
    room stores its update, each committed at once). Holding the write lock from the start
    would make those steps wait for their own request, so its session begins as a reader's
    and takes the lock at its first write. Put it below the route decorator."""
    endpoint.agora_mode = READ  # type: ignore[attr-defined]
    return endpoint


class TransactionalRoute(APIRoute):
    """A route whose sync handler commits in its own thread slot (see the module's docstring)."""

    def __init__(self, path: str, endpoint: Callable[..., Any], **kwargs: Any) -> None:
        methods = {m.upper() for m in (kwargs.get("methods") or ["GET"])}
        mode = getattr(endpoint, "agora_mode", WRITE if methods & WRITING_METHODS else READ)
        if not inspect.iscoroutinefunction(endpoint):
            endpoint = _transactional(endpoint, mode=mode)
        super().__init__(path, endpoint, **kwargs)


def _transactional(endpoint: Callable[..., Any], *, mode: str) -> Callable[..., Any]:
    @functools.wraps(endpoint)
    def handler(**arguments: Any) -> Any:
        return run_in_transaction(endpoint, arguments, mode=mode)

    handler.transactional = True  # type: ignore[attr-defined]
    return handler
