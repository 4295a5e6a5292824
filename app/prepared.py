"""Statements built once per process and run with bind parameters.

On a stream page, building a SQLAlchemy statement and computing its cache key cost more Python
than running it. A statement object built once keeps its cache key, so each request supplies
only the values: these parameters stand for the viewer, the time, the cursor and id lists.
"""

from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, Integer, bindparam

from app.db import UTCDateTime

VIEWER = bindparam("viewer_id", type_=Integer)
NOW = bindparam("now", type_=UTCDateTime())
LIMIT = bindparam("limit", type_=Integer)
AFTER_AT = bindparam("after_at", type_=UTCDateTime())
# Wide: a cursor may stand for "after every id" (see recognition.stream).
AFTER_ID = bindparam("after_id", type_=BigInteger)


def ids(name: str) -> Any:
    """A list parameter for `column.in_(...)`, expanded when the statement runs."""
    return bindparam(name, expanding=True)


def values(
    viewer_id: int | None, now: datetime, limit: int | None = None, **more: Any
) -> dict[str, Any]:
    params: dict[str, Any] = {"viewer_id": viewer_id, "now": now, **more}
    if limit is not None:
        params["limit"] = limit
    return params
