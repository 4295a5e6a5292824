"""When an API token was last used: written after the answer, in its own short transaction.

Core, not API layer: the API (app/api/token_use.py) and the protocol socket (app/protocols/sync.py)
both record uses, and a domain never imports the API layer.

Writing it inside the request's transaction made every API call a write, and fifty concurrent
protocol saves over the API then failed with SQLite's "database is locked". So the bearer check
only notes that a write is due, and the API layer writes once the answer has gone out. "Last used"
is coarse on purpose: a token used within PRECISION is not written again, so a busy script
costs one small write per interval, not one per call. The write is best effort: a failure is
logged and forgotten, never the caller's problem.
"""

import logging
import threading
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Engine, or_, update
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import col

from app.people.models import ApiToken

# The logger keeps the name it had when this lived in app/api/: log filters rely on it.
log = logging.getLogger("app.api.token_use")

PRECISION = timedelta(minutes=5)

# Token ids being written by this process right now: a burst of first calls all read "never
# used", and one write among them is enough.
_in_flight: set[int] = set()
_in_flight_lock = threading.Lock()


@dataclass(frozen=True)
class TokenUse:
    engine: Engine
    token_id: int
    used_at: datetime


def is_due(last_used_at: datetime | None, now: datetime) -> bool:
    return last_used_at is None or last_used_at <= now - PRECISION


def use_if_due(
    *, engine: Engine, token_id: int, last_used_at: datetime | None, now: datetime
) -> TokenUse | None:
    """The write this use of the token calls for, if any (see record_token_use)."""
    if not is_due(last_used_at, now):
        return None
    return TokenUse(engine=engine, token_id=token_id, used_at=now)


def record_token_use(use: TokenUse) -> None:
    """Store the time in a transaction of its own; a database error is logged, not raised."""
    with _in_flight_lock:
        if use.token_id in _in_flight:
            return
        _in_flight.add(use.token_id)
    try:
        # The UPDATE opens the transaction (no read before it: on SQLite a read transaction
        # that turns into a write fails at once when another writer got in between), and its
        # condition makes a write racing with another process's a no-op.
        stored = col(ApiToken.last_used_at)
        with use.engine.begin() as connection:
            connection.execute(
                update(ApiToken)
                .where(
                    col(ApiToken.id) == use.token_id,
                    or_(stored.is_(None), stored <= use.used_at - PRECISION),
                )
                .values(last_used_at=use.used_at)
            )
    except SQLAlchemyError as error:
        log.info("Could not record the use of API token %s: %s", use.token_id, error)
    finally:
        with _in_flight_lock:
            _in_flight.discard(use.token_id)
