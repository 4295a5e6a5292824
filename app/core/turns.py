"""Decisions that must be taken one at a time across processes, per thing.

"Is there budget left?" and "is there still an early-adopter place?" read what others wrote,
then write. On SQLite writers already run one at a time (BEGIN IMMEDIATE, app.core.transactions).
On PostgreSQL, under READ COMMITTED, two transactions would both read "one left" and both
take it; so each takes a turn first: a transaction-level advisory lock on (what, which), held
until it commits or rolls back, and bounded by the connection's lock_timeout like any lock.
"""

from enum import IntEnum

from sqlalchemy import text
from sqlmodel import Session


class Turn(IntEnum):
    kudos_budget = 1  # per giver
    early_adopters = 2  # per space; 0 for the whole site


def take_turn(session: Session, turn: Turn, key: int) -> None:
    """Wait until no other transaction holds (turn, key); hold it until this one ends."""
    if session.get_bind().dialect.name != "postgresql":
        return
    session.execute(
        text("SELECT pg_advisory_xact_lock(:turn, :key)"), {"turn": int(turn), "key": key}
    )
