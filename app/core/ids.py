"""Ids as they arrive in addresses, query strings, forms and JSON: one rule for all of them.

Every table's key is a positive integer that fits PostgreSQL's `integer` (SQLite would take up to
2**63-1). A number outside 1..2**31-1 cannot name anything, so it is refused as input (422: a
clean error page, or JSON naming the parameter) before any query runs. Without this, the database
driver fails instead (SQLite: OverflowError past 2**63; PostgreSQL: "integer out of range"),
and the answer is a 500 that differs between the two engines.

Routes declare `post_id: Id`; the parameter name is the path's, so one alias serves every route.
"""

from typing import Annotated

from fastapi import Form, Path, Query
from pydantic import Field

MAX_ID = 2**31 - 1


def is_valid_id(value: int) -> bool:
    """For the few places that take an id outside FastAPI's parameter parsing."""
    return 1 <= value <= MAX_ID


# A path parameter: /posts/{post_id}
Id = Annotated[int, Path(ge=1, le=MAX_ID)]
# An optional query parameter: /kudos/new?post_id=...
OptionalIdQuery = Annotated[int | None, Query(ge=1, le=MAX_ID)]
# Form fields
IdForm = Annotated[int, Form(ge=1, le=MAX_ID)]
OptionalIdForm = Annotated[int | None, Form(ge=1, le=MAX_ID)]
# A JSON field of an API input (strict: "12" is not an id)
ApiId = Annotated[int, Field(strict=True, ge=1, le=MAX_ID)]
# Counters compared with stored integers (revision numbers, versions): 0 is allowed.
CounterQuery = Annotated[int, Query(ge=0, le=MAX_ID)]
CounterForm = Annotated[int, Form(ge=0, le=MAX_ID)]
ApiCounter = Annotated[int, Field(strict=True, ge=0, le=MAX_ID)]
