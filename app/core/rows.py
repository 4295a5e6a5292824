"""Read-only copies of table rows, for the lists that pages only show.

Loading ORM entities costs far more than reading the rows they come from. Measured here
(2026-11, one user by id, SQLite): 138 µs as an entity, 86 µs as columns through the session,
32 µs as a row on the Core connection, 5 µs for SQLite itself; every entity then adds its
own state, identity-map entry and SQLModel's attribute hooks. A stream page reads three tables'
rows for twenty posts, a post page fifty comments with their authors, and shows them without
changing anything. So those lists read plain rows on the session's connection (`read`, `fetch`)
and copy the columns they show into small slotted classes (subclasses of `RowView`); whatever
changes data loads entities as before.
"""

from collections.abc import Sequence
from dataclasses import fields
from typing import Any, ClassVar, Self
from weakref import WeakKeyDictionary

from sqlalchemy import Column, Connection, Table
from sqlalchemy.engine import Dialect
from sqlalchemy.exc import InvalidRequestError
from sqlmodel import Session, SQLModel

from app.core.db import UTCDateTime


class RowView:
    """Base of the read-only row classes: a slotted dataclass whose field names are columns of
    `model`'s table, the first of them its primary key (an empty outer join leaves it NULL)."""

    __slots__ = ()
    model: ClassVar[type[SQLModel]]

    @classmethod
    def columns(cls, alias: Any = None) -> tuple[Any, ...]:
        """The table's columns for this class's fields, in field order, for a select; of
        `alias` (the table under another name, `Model.__table__.alias(...)`) if given."""
        if alias is not None:
            return tuple(alias.c[column.name] for column in _columns_of(cls))
        return _columns_of(cls)

    @classmethod
    def of(cls, entity: Any) -> Self:
        """A copy of a loaded entity, for a page that shows one beside rows read here."""
        return cls(*(getattr(entity, f.name) for f in fields(cls)))  # type: ignore[arg-type]


_COLUMNS: dict[type[RowView], tuple[Column[Any], ...]] = {}


def _columns_of(view: type[RowView]) -> tuple[Column[Any], ...]:
    found = _COLUMNS.get(view)
    if found is None:
        table: Table = view.model.__table__  # type: ignore[attr-defined]
        found = _COLUMNS[view] = tuple(table.c[f.name] for f in fields(view))  # type: ignore[arg-type]
    return found


def columns(shape: Sequence[type[RowView]]) -> list[Any]:
    """The columns of every class of `shape`, in order: what a select for `fetch` starts with,
    so the select and the cutting name the same shape once."""
    return [column for view in shape for column in view.columns()]


def read(session: Session, statement: Any, params: dict[str, Any]) -> Sequence[Any]:
    """Run a select of plain columns as rows (tuples) on the session's connection.

    Pending changes are flushed first, as the session would before a query of its own. A
    statement object met a second time is a prepared one (app.core.prepared): it runs as SQL
    compiled once on this engine, on the session's DBAPI cursor (see `_Prepared`).
    """
    session.flush()
    connection = session.connection()
    prepared = _prepared(statement, connection.dialect)
    if prepared is None:
        return connection.execute(statement, params).all()
    return prepared.run(connection, params)


class _Prepared:
    """A select compiled once, run on the DBAPI cursor with SQLAlchemy's own value conversions.

    Measured on the home page's statements (2026-12-06, SQLite): SQLAlchemy's execution around
    a cached statement cost 20-28 µs each (hashing the statement's cache key for the compiled
    cache, building the parameters and an execution context, a result object), a third of a
    one-row read. What stays the same: the engine's `before/after_cursor_execute` listeners see
    every statement (the write watch, the sign-in cache, the tests' query counts), errors are
    SQLAlchemy's (wrapped, a lost connection invalidated), and every bound and read value goes
    through its type's processor (UTC datetimes, dates and booleans on SQLite, JSON).
    """

    __slots__ = ("binds", "converters", "names", "order", "positional", "sql", "types")

    def __init__(self, compiled: Any, dialect: Dialect) -> None:
        self.sql: str = compiled.string
        self.positional: bool = compiled.positional
        # A parameter may stand at several places of the SQL (the time, the viewer): each
        # distinct one is converted once per run, then placed.
        at = list(compiled.positiontup if self.positional else compiled.binds)
        self.names = list(dict.fromkeys(at))
        self.order = [self.names.index(name) for name in at]
        binds = compiled.binds
        self.binds = [
            (
                binds[name].key,
                _REQUIRED if binds[name].required else binds[name].effective_value,
                binds[name].type._cached_bind_processor(dialect),
            )
            for name in self.names
        ]
        self.converters: list[tuple[int, Any]] | None = None  # from the first cursor's columns
        self.types = [column.type for column in compiled._result_columns]

    def run(self, connection: Connection, params: dict[str, Any]) -> Sequence[Any]:
        values = []
        for key, default, bind in self.binds:
            value = params.get(key, default)
            if value is _REQUIRED:
                raise InvalidRequestError(f"A value is required for bind parameter {key!r}")
            values.append(value if bind is None else bind(value))
        args: Any = (
            tuple([values[index] for index in self.order])
            if self.positional
            else dict(zip(self.names, values, strict=True))
        )
        cursor = connection.connection.cursor()
        try:
            connection._cursor_execute(cursor, self.sql, args)  # events, errors: as SQLAlchemy's
            try:
                rows: Sequence[Any] = cursor.fetchall()
            except Exception as error:
                connection._handle_dbapi_exception(error, self.sql, args, cursor, None)
            converters = self.converters
            if converters is None:
                converters = self.converters = self._converters(connection.dialect, cursor)
        finally:
            cursor.close()
        if not converters:
            return rows
        converted = []
        for row in rows:
            values = list(row)
            for index, convert in converters:
                values[index] = convert(values[index])
            converted.append(tuple(values))
        return converted

    def _converters(self, dialect: Dialect, cursor: Any) -> list[tuple[int, Any]]:
        description = cursor.description
        if len(description) != len(self.types):
            raise AssertionError("a prepared read returned other columns than it selects")
        found = []
        for index, (type_, column) in enumerate(zip(self.types, description, strict=True)):
            convert = type_._cached_result_processor(dialect, column[1])
            if convert is not None and isinstance(type_, UTCDateTime):
                convert = UTCDateTime.reader(dialect)
            if convert is not None:
                found.append((index, convert))
        return found


_SEEN_ONCE: Any = object()
_REQUIRED = object()
# Per statement object (weakly: one built for a request goes with it), per dialect name.
_PREPARED: "WeakKeyDictionary[Any, dict[str, Any]]" = WeakKeyDictionary()


def _prepared(statement: Any, dialect: Dialect) -> _Prepared | None:
    """The statement's compiled form for this dialect, from its second use on (a statement built
    for one request is met once, and runs through SQLAlchemy's own cache); None for what this
    path does not handle (lists expanded at execution, renamed parameters, computed values)."""
    try:
        plans = _PREPARED.get(statement)
    except TypeError:  # not weakly referable: SQLAlchemy's own path
        return None
    if plans is None:
        _PREPARED[statement] = {dialect.name: _SEEN_ONCE}
        return None
    plan = plans.get(dialect.name, _SEEN_ONCE)
    if plan is _SEEN_ONCE:
        plan = plans[dialect.name] = _compile(statement, dialect)
    return plan


def _compile(statement: Any, dialect: Dialect) -> _Prepared | None:
    compiled = statement.compile(dialect=dialect)
    expands = compiled.post_compile_params or compiled.literal_execute_params
    renamed = getattr(compiled, "escaped_bind_names", None)
    computed = any(bind.callable is not None for bind in compiled.binds.values())
    if expands or renamed or computed or not compiled._result_columns:
        return None
    return _Prepared(compiled, dialect)


def fetch(
    session: Session, statement: Any, params: dict[str, Any], shape: Sequence[type[RowView]]
) -> list[tuple[Any, ...]]:
    """Run a select of `shape`'s columns (each class's `columns()`, in order, then any extra
    columns) and cut every row into one object per class, None where an outer join found
    nothing; extra columns follow as they are (flushes first, like `read`).
    """
    widths = [(view, len(view.columns())) for view in shape]
    cut: list[tuple[Any, ...]] = []
    for row in read(session, statement, params):
        parts: list[Any] = []
        start = 0
        for view, width in widths:
            values = row[start : start + width]
            parts.append(None if values[0] is None else view(*values))
            start += width
        parts.extend(row[start:])
        cut.append(tuple(parts))
    return cut
