"""Whether this process has written to the database since a given moment.

A cache of finished pages (app/core/page_cache.py) may serve a page only while nothing it could
show has changed. Knowing *what* a write touched would need every page's dependencies; knowing
*that* something was written is cheap and cannot be wrong, and writes are rare next to reads. So
every write statement this process sends through the watched engine, whatever sent it (a route,
a service's Core `update()` that no ORM flush sees, a subscriber of a domain event, a periodic
job), moves a generation counter on and tells the listeners at once; its commit does both again.

Why both moments: a request that begins between the statement and the commit reads the old,
still committed rows and must not keep its page; the commit's move makes its generation stale.
A request keeps a page only if the generation it saw when it began is still the current one
when it ends (`unchanged_since`), so no page read before a write outlives it.

The domain events (app/core/domain_events.py) are not watched separately: every fact is
published inside the transaction whose writes this already sees. Another process's writes cannot
be seen here; what is kept is bounded in time instead (AGORA_PAGE_CACHE_SECONDS).
"""

import re
import threading
from collections.abc import Callable
from typing import Any

from sqlalchemy import Engine, event

# Statements that change rows or the schema. "WITH ... INSERT" is not used by Agora; plain
# reads, PRAGMA and ANALYZE (statistics only) are not writes.
_WRITE = re.compile(
    r"^\s*(INSERT|UPDATE|DELETE|REPLACE|TRUNCATE|ALTER|DROP|CREATE|UPSERT)\b", re.IGNORECASE
)
_FLAG = "agora_wrote"

_lock = threading.Lock()
_generation = 0
_listeners: list[Callable[[], None]] = []
_watched: Engine | None = None


def generation() -> int:
    """The current generation: read it before a request reads anything."""
    return _generation


def unchanged_since(seen: int) -> bool:
    """Whether nothing was written (or committed) since `generation()` returned `seen`."""
    return _generation == seen


def on_write(listener: Callable[[], None]) -> None:
    """Call `listener` (cheap, no I/O) on every write statement and every commit after one."""
    if listener not in _listeners:
        _listeners.append(listener)


def written() -> None:
    """Something changed: move the generation on and tell the listeners."""
    global _generation
    with _lock:
        _generation += 1
    for listener in _listeners:
        listener()


def watch(engine: Engine) -> None:
    """Watch this engine's writes (cheap to call on every request: it listens once). A new
    engine (tests make one per database) counts as a change: nothing kept before is kept."""
    global _watched
    if engine is _watched:
        return
    written()
    _watched = engine
    if event.contains(engine, "before_cursor_execute", _on_statement):
        return
    event.listen(engine, "before_cursor_execute", _on_statement)
    event.listen(engine, "commit", _on_commit)
    event.listen(engine, "rollback", _on_rollback)


def _on_statement(conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
    if _WRITE.match(statement):
        conn.info[_FLAG] = True
        written()


def _on_commit(conn: Any) -> None:
    if conn.info.pop(_FLAG, False):
        written()


def _on_rollback(conn: Any) -> None:
    conn.info.pop(_FLAG, None)
