"""Statements built once per process and run with bind parameters.

On a stream page, building a SQLAlchemy statement and computing its cache key cost more Python
than running it. A statement object built once keeps its cache key, so each request supplies
only the values: these parameters stand for the viewer, the time, the cursor and id lists.
"""

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, Integer, bindparam, cast, select
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.functions import GenericFunction

from app.core.db import UTCDateTime

VIEWER = bindparam("viewer_id", type_=Integer)
NOW = bindparam("now", type_=UTCDateTime())
LIMIT = bindparam("limit", type_=Integer)
AFTER_AT = bindparam("after_at", type_=UTCDateTime())
# Wide: a cursor may stand for "after every id" (see recognition.stream).
AFTER_ID = bindparam("after_id", type_=BigInteger)


class _json_ids(GenericFunction[Any]):
    """The elements of a JSON array, as rows of a table (SQLite's json_each, PostgreSQL's
    json_array_elements_text); see ids()."""

    name = "json_ids"
    inherit_cache = True


@compiles(_json_ids, "sqlite")
def _json_ids_sqlite(element: _json_ids, compiler: SQLCompiler, **kw: Any) -> str:
    return f"json_each({compiler.process(element.clauses, **kw)})"


@compiles(_json_ids, "postgresql")
def _json_ids_postgresql(element: _json_ids, compiler: SQLCompiler, **kw: Any) -> str:
    return f"json_array_elements_text(CAST({compiler.process(element.clauses, **kw)} AS JSON))"


def ids(name: str) -> Any:
    """A list of ids for `column.in_(...)`, passed as one JSON value.

    An expanding parameter (one placeholder per id) makes the SQL text differ with the list's
    length: SQLAlchemy rewrites the statement on every run (0.25 ms for the home panel) and
    SQLite prepares it again whenever that length was not seen lately (0.6 ms). One value keeps
    the text fixed.
    """
    rows = _json_ids(bindparam(name, type_=JSON())).table_valued("value")
    return select(cast(rows.c.value, Integer))


def values(
    viewer_id: int | None, now: datetime, limit: int | None = None, **more: Any
) -> dict[str, Any]:
    params: dict[str, Any] = {"viewer_id": viewer_id, "now": now, **more}
    if limit is not None:
        params["limit"] = limit
    return params
