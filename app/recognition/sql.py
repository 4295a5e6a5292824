"""Two small SQL helpers the engine needs on SQLite and PostgreSQL alike.

- ``plus_days(when, days)``: a timestamp plus a number of days, computed in the database, so the
  early-adopter window ("the space's first 90 days") can be applied to every space in one query.
- ``insert_ignoring_duplicates``: INSERT ... ON CONFLICT DO NOTHING, the race-free way to
  "insert if absent" when several processes grant the same badge at the same moment.
"""

from typing import Any

from sqlalchemy import Integer, literal
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql import expression
from sqlalchemy.sql.compiler import SQLCompiler
from sqlmodel import Session, SQLModel

from app.core.db import UTCDateTime


class plus_days(expression.FunctionElement[Any]):
    type = UTCDateTime()
    inherit_cache = True
    name = "plus_days"

    def __init__(self, when: Any, days: Any) -> None:
        # The number of days is a bound parameter, so statement caching stays correct: a given
        # one (a statement built once names it, see rule_base.EARLY_DAYS) or a literal's.
        if isinstance(days, int):
            days = literal(int(days), Integer)
        super().__init__(when, days)


@compiles(plus_days, "sqlite")
def _plus_days_sqlite(element: plus_days, compiler: SQLCompiler, **kw: Any) -> str:
    when, days = list(element.clauses)
    # Same text layout as stored values (fractional seconds), so string comparison orders right.
    start, n = compiler.process(when, **kw), compiler.process(days, **kw)
    return f"strftime('%Y-%m-%d %H:%M:%f', {start}, '+' || {n} || ' days')"


@compiles(plus_days, "postgresql")
def _plus_days_postgresql(element: plus_days, compiler: SQLCompiler, **kw: Any) -> str:
    when, days = list(element.clauses)
    start, n = compiler.process(when, **kw), compiler.process(days, **kw)
    return f"({start} + make_interval(days => CAST({n} AS INTEGER)))"


def insert_ignoring_duplicates(
    session: Session, model: type[SQLModel], rows: list[dict[str, Any]]
) -> Any:
    """An INSERT of many rows that skips those a unique constraint already holds (no error)."""
    dialect = session.get_bind().dialect.name
    module = postgresql if dialect == "postgresql" else sqlite
    table = model.__table__  # type: ignore[attr-defined]
    return module.insert(table).values(rows).on_conflict_do_nothing()
