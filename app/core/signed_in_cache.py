"""Who a session cookie belongs to, remembered by this process for at most a second.

Every signed-in request asked the database who its cookie belongs to: a query and a trip to a
worker thread, paid by every page and fragment (issue 19: the floor). Remembering the answer is
safe because of two rules:

- In this process, a write to the people or sign-in sessions tables forgets everything at once:
  the statement itself (signing out, a password change ending sessions, deactivation, a changed
  language or role) and its commit both clear the cache, whatever path sent it, so a request
  that begins after the write never sees the old answer.
- Another process's write cannot be seen here, so an answer is kept for at most a second
  (AGORA_SIGNED_IN_CACHE_SECONDS, at most 1): a person signed out or deactivated on another
  process is refused on every process within a second, the same bound as every other
  cross-process change (issue 19).

What is kept are the person's column values, never a shared object: each request gets its own
detached `User`, as from the database, which it may change or add to its session.
"""

import re
import threading
import time
from datetime import datetime
from typing import Any

from sqlalchemy import Engine, event, inspect
from sqlalchemy.orm import make_transient_to_detached

from app.people.models import AuthSession, User

MAX_ENTRIES = 10_000

_WRITES = re.compile(
    rf"^\s*(TRUNCATE\b|(UPDATE|DELETE\s+FROM|INSERT\s+INTO|REPLACE\s+INTO)\s+\"?"
    rf"({User.__tablename__}|{AuthSession.__tablename__})\b)",
    re.IGNORECASE,
)
_FLAG = "agora_signed_in_write"

_manager = inspect(User).class_manager
_columns = [attr.key for attr in inspect(User).mapper.column_attrs]
_lock = threading.Lock()
# token hash -> (monotonic time stored, the session's expiry, the person's column values)
_entries: dict[str, tuple[float, datetime, dict[str, Any]]] = {}


def lookup(token_hash: str, now: datetime, *, max_age: float) -> User | None:
    """A fresh detached copy of the person signed in with this token, if remembered at most
    `max_age` seconds ago (and the session has not expired since)."""
    if max_age <= 0:
        return None
    with _lock:
        entry = _entries.get(token_hash)
    if entry is None:
        return None
    stored, expires_at, values = entry
    if time.monotonic() - stored > max_age or expires_at <= now:
        with _lock:
            _entries.pop(token_hash, None)
        return None
    # As the ORM loads a row: a bare instance with its values, then detached with its identity.
    user: User = _manager.new_instance()
    user.__dict__.update(values)
    make_transient_to_detached(user)
    return user


def remember(token_hash: str, expires_at: datetime, user: User, *, since: float) -> None:
    """Keep who this token belongs to, read at `since` (time.monotonic() before the query):
    an answer read before the latest write of this process is not kept."""
    values = {key: getattr(user, key) for key in _columns}
    with _lock:
        if since < _cleared_at:
            return
        if len(_entries) >= MAX_ENTRIES:
            _entries.clear()
        _entries[token_hash] = (time.monotonic(), expires_at, values)


_cleared_at = 0.0


def forget_all() -> None:
    global _cleared_at
    with _lock:
        _entries.clear()
        _cleared_at = time.monotonic()


_watched: Engine | None = None


def watch(engine: Engine) -> None:
    """Forget everything when this engine writes to people or sessions, and again at commit.
    (Cheap to call on every request: it listens once per engine.)"""
    global _watched
    if engine is _watched:
        return
    forget_all()
    _watched = engine
    if event.contains(engine, "before_cursor_execute", _on_statement):
        return
    event.listen(engine, "before_cursor_execute", _on_statement)
    event.listen(engine, "commit", _on_commit)
    event.listen(engine, "rollback", _on_rollback)


def _on_statement(conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
    if _WRITES.match(statement):
        conn.info[_FLAG] = True
        forget_all()


def _on_commit(conn: Any) -> None:
    if conn.info.pop(_FLAG, False):
        forget_all()


def _on_rollback(conn: Any) -> None:
    conn.info.pop(_FLAG, None)
