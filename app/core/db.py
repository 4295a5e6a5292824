"""Engine, naming convention, time columns and the per-request session."""

import time
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any

from sqlalchemy import DateTime, Engine, Integer, MetaData, event, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import Dialect
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.sql.expression import ColumnElement, UnaryExpression
from sqlalchemy.sql.operators import custom_op
from sqlalchemy.types import TypeDecorator
from sqlmodel import Session, SQLModel, create_engine, select
from starlette.concurrency import run_in_threadpool

from app.core.config import get_settings
from app.core.transactions import install_sqlite_transactions, postgres_options

# Stable constraint names make migrations reviewable and identical on SQLite and PostgreSQL.
SQLModel.metadata.naming_convention = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}
metadata: MetaData = SQLModel.metadata


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """Aware UTC datetimes on every engine (SQLite keeps no zone, so we attach it on read)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)

    @staticmethod
    def reader(dialect: Dialect) -> Callable[[Any], datetime | None]:
        """What SQLAlchemy's processing of a read value amounts to, in one call rather than two
        (for app.core.rows: a list of fifty comments reads two hundred of these)."""
        if dialect.name == "sqlite":  # stored as ISO text without a zone, always UTC
            return _utc_from_text
        return _utc_from_datetime


def _utc_from_text(value: str | None) -> datetime | None:
    return None if value is None else datetime.fromisoformat(value).replace(tzinfo=UTC)


def _utc_from_datetime(value: datetime | None) -> datetime | None:
    if value is None:
        return None
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    # WAL lets readers work while one writer commits; the timeout queues writers instead of failing.
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute(f"PRAGMA busy_timeout={int(get_settings().db_lock_timeout_seconds * 1000)}")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def not_indexed(column: Any) -> ColumnElement[int]:
    """An integer column under unary plus: the same value, but SQLite will not reach the
    table through an index on it (its documented planner hint; PostgreSQL reads it as the
    plain value). For joins that must start from a small table whatever the statistics say."""
    return UnaryExpression(column, operator=custom_op("+"), type_=Integer)


# A SQLite connection plans with the statistics it read when it opened, and the periodic
# ANALYZE (refresh_statistics_job) does not reach connections already open: a site that grew
# from empty would keep planning for empty tables until restarted. Pooled connections are
# reopened after this long, so new statistics are in use within the hour.
SQLITE_RECYCLE_SECONDS = 3600


def make_engine(url: str, *, pool_size: int | None = None, max_overflow: int = 10) -> Engine:
    # By default a pooled connection for every request thread plus the background jobs: a
    # connection opened per request reads the schema and prepares its statements again
    # (SQLite), or costs a round of authentication (PostgreSQL).
    kept = pool_size or max(10, get_settings().handler_threads + 2)
    pool: dict[str, Any] = {"pool_size": kept, "max_overflow": max_overflow, "pool_timeout": 30}
    if url.startswith("sqlite"):
        engine = create_engine(
            url,
            connect_args={
                "check_same_thread": False,
                "timeout": get_settings().db_lock_timeout_seconds,
            },
            pool_recycle=SQLITE_RECYCLE_SECONDS,
            **pool,
        )
        event.listen(engine, "connect", _sqlite_pragmas)
        install_sqlite_transactions(engine)
        return engine
    settings = get_settings()
    options = postgres_options(
        lock_timeout_ms=int(settings.db_lock_timeout_seconds * 1000),
        idle_in_transaction_ms=int(settings.db_idle_in_transaction_seconds * 1000),
    )
    engine = create_engine(url, connect_args={"options": options}, **pool)
    ping_when_idle(engine)
    return engine


# A pooled PostgreSQL connection unused for longer than this is pinged before a request gets it
# (the server may have restarted, or a proxy dropped it). SQLAlchemy's pool_pre_ping pinged on
# every checkout: two round trips of a write's ~20 (a request checks out twice: the caller's
# lookup, then the handler), for connections that had been used a few milliseconds earlier.
PING_AFTER_IDLE_SECONDS = 5.0
_RETURNED_AT = "agora_returned_at"


def ping_when_idle(engine: Engine) -> None:
    """Check a connection before use only when it sat in the pool (SQLAlchemy's documented
    recipe for custom pessimistic pings: raising DisconnectionError in "checkout" makes the
    pool replace the connection and try again). A connection that breaks while in steady use
    still fails the statement under way, and the pool then replaces every connection as old."""

    @event.listens_for(engine, "checkin")
    def _returned(_dbapi_connection: Any, record: Any) -> None:
        record.info[_RETURNED_AT] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _ping_if_idle(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
        returned = record.info.get(_RETURNED_AT)
        if returned is None or time.monotonic() - returned < PING_AFTER_IDLE_SECONDS:
            return
        try:
            engine.dialect.do_ping(dbapi_connection)
        except engine.dialect.loaded_dbapi.Error as error:
            if engine.dialect.is_disconnect(error, dbapi_connection, None):
                raise DisconnectionError() from error
            raise


def read_without_transaction(session: Session) -> None:
    """On PostgreSQL, the session's next connection reads in autocommit: for a lookup that hands
    the connection back at once (the request's caller, app.core.security.hand_back), one round trip
    instead of BEGIN, the query and ROLLBACK. Each statement still sees committed data only.
    SQLite begins nothing for readers anyway (app.core.transactions)."""
    if session.in_transaction() or session.get_bind().dialect.name != "postgresql":
        return
    session.connection(execution_options={"isolation_level": "AUTOCOMMIT"})


@lru_cache
def get_engine() -> Engine:
    return make_engine(get_settings().database_url)


async def get_session() -> AsyncIterator[Session]:
    """One session per request. Its handler's route commits or rolls back in the handler's own
    thread slot (app.core.transactions); what is left here ends what a dependency began.

    Async, so that a request whose session holds nothing at the end (the usual case: the route
    committed, the sign-in check handed its connection back) costs no trip to a worker thread
    on the way in or out; only an open transaction is ended in one (issue 19)."""
    session = Session(get_engine(), expire_on_commit=False)
    try:
        yield session
    except Exception:
        await _end(session, commit=False)
        raise
    await _end(session, commit=True)


async def _end(session: Session, *, commit: bool) -> None:
    if not session.in_transaction():
        session.close()  # no connection held: nothing that could block
        return
    await run_in_threadpool(_finish, session, commit)


def _finish(session: Session, commit: bool) -> None:
    try:
        if commit:
            session.commit()
        else:
            session.rollback()
    finally:
        session.close()


def refresh_planner_statistics(engine: Engine, *, sample_rows: int | None = 1000) -> None:
    """Let the database's query planner see how big each table and index is.

    Without statistics SQLite guesses, and it guessed wrong on the home page: it walked every
    readable post to find the three showcased ones (2 ms at 5,000 posts, growing with them;
    0.1 ms once it knew). PostgreSQL's autovacuum keeps its own statistics; after a bulk load
    it is told at once. `sample_rows` bounds SQLite's work per index (None: read them all).
    """
    with engine.begin() as conn:
        _analyze(conn, sample_rows)


def _analyze(conn: Any, sample_rows: int | None) -> None:
    sqlite = conn.dialect.name == "sqlite"
    if sqlite:
        conn.exec_driver_sql(f"PRAGMA analysis_limit={sample_rows or 0}")
    conn.exec_driver_sql("ANALYZE")
    if sqlite:
        _describe_empty_tables(conn)


def _describe_empty_tables(conn: Any) -> None:
    """ANALYZE leaves an empty table undescribed, and SQLite then takes it for a large one:
    with no site pins it read every public post to find the pinned ones (70 ms at 100,000
    posts). A row count of one says "small" until a later ANALYZE finds rows (SQLite documents
    sqlite_stat1 as writable for this)."""
    described = {row[0] for row in conn.exec_driver_sql("SELECT DISTINCT tbl FROM sqlite_stat1")}
    tables = conn.exec_driver_sql(
        "SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
    )
    empty = [(name, None, "1") for (name,) in tables if name not in described]
    if empty:
        conn.exec_driver_sql("INSERT INTO sqlite_stat1 (tbl, idx, stat) VALUES (?, ?, ?)", empty)
        conn.exec_driver_sql("ANALYZE sqlite_schema")  # reload the statistics just written


def refresh_statistics_job(session: Session) -> int:
    """The periodic pass (SQLite only: PostgreSQL's autovacuum does this on its own)."""
    engine = session.get_bind()
    if engine.dialect.name != "sqlite":
        return 0
    _analyze(session.connection(), sample_rows=1000)
    return 1


def lock_row(session: Session, row: Any, *, touch: str) -> None:
    """Serialise writers on one row (with an `id`) and reload it, before anything is counted.

    PostgreSQL: SELECT ... FOR UPDATE. SQLite: a no-op UPDATE of the column `touch`, which takes
    the database write lock at once, so writers queue and each sees what the previous committed.
    """
    model = type(row)
    key = model.id == row.id
    if session.get_bind().dialect.name == "postgresql":
        statement = select(model).where(key).with_for_update()
        session.exec(statement.execution_options(populate_existing=True)).one()
        return
    session.exec(update(model).where(key).values({touch: getattr(model, touch)}))
    session.refresh(row)


def share_row(session: Session, row: Any) -> None:
    """Hold one row against `lock_row` (others may share it too) and reload it.

    PostgreSQL: SELECT ... FOR SHARE. SQLite: a writing transaction already holds the database
    write lock from its start (app.core.transactions), so only the reload is needed.
    """
    model = type(row)
    if session.get_bind().dialect.name == "postgresql":
        statement = select(model).where(model.id == row.id).with_for_update(read=True)
        session.exec(statement.execution_options(populate_existing=True)).one()
        return
    session.refresh(row)


def insert_unless_present(session: Session, row: SQLModel) -> bool:
    """Insert `row` unless a unique constraint says it is there already; whether it was new.

    One INSERT ... ON CONFLICT DO NOTHING (both engines) where a read, a savepoint, the insert
    and its release were four round trips; a parallel request that inserted the same row first
    makes this a no-op, not an error that rolls back. The row's columns are sent as set (a
    column the row leaves None takes its default); the row itself stays out of the session."""
    table = row.__table__  # type: ignore[attr-defined]
    values = {c.name: getattr(row, c.name) for c in table.columns}
    values = {name: value for name, value in values.items() if value is not None}
    dialect = session.get_bind().dialect.name
    insert = postgresql_insert if dialect == "postgresql" else sqlite_insert
    statement = insert(table).values(values).on_conflict_do_nothing()
    return session.execute(statement.returning(*table.primary_key)).first() is not None
