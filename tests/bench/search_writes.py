"""What the search index adds to a write: a comment through the service, with and without it.

Both ways run the same writes in one transaction that is rolled back at the end (the dataset
stays as it was, and the commit's fsync, the same either way, is left out). "Without" drops
the FTS5 triggers inside that transaction and silences the index's subscribers.
"""

import os
import statistics
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

WRITES = 200
ROUNDS = 3


@contextmanager
def _without_search_subscribers() -> Iterator[None]:
    from app import domain_events
    from app.search import subscribers

    domain_events.load_subscribers()
    saved = {kind: list(functions) for kind, functions in domain_events._subscribers.items()}
    for functions in domain_events._subscribers.values():
        functions[:] = [f for f in functions if f.__module__ != subscribers.__name__]
    try:
        yield
    finally:
        domain_events._subscribers.update(saved)


def _writes_ms(prepare: Callable[[Any], None]) -> float:
    from sqlalchemy import text
    from sqlmodel import Session

    from app.db import get_engine
    from app.people.models import User
    from app.posts.service import add_comment

    with Session(get_engine()) as session:
        viewer_id, post_id = session.execute(
            text(
                "SELECT m.user_id, p.id FROM memberships m JOIN posts p ON p.space_id = m.space_id "
                "JOIN users u ON u.id = m.user_id WHERE u.email = 'bench-viewer@agora.local' "
                "AND p.deleted_at IS NULL AND p.hidden_at IS NULL ORDER BY p.id DESC LIMIT 1"
            )
        ).one()
        user = session.get(User, viewer_id)
        assert user is not None
        prepare(session)
        started = time.perf_counter()
        for n in range(WRITES):
            add_comment(
                session,
                user=user,
                post_id=post_id,
                body=f"Kurze Antwort {n}: the meeting notes look good, danke für die Protokolle.",
            )
            session.flush()
        elapsed = (time.perf_counter() - started) * 1000 / WRITES
        session.rollback()
    return elapsed


def _drop_triggers(session: Any) -> None:
    from sqlalchemy import text

    if session.get_bind().dialect.name == "sqlite":
        for name in ("insert", "update", "delete"):
            session.execute(text(f"DROP TRIGGER IF EXISTS search_documents_fts_{name}"))


def comment_write_cost(env: dict[str, str]) -> tuple[float, float]:
    """(ms per comment with the index, ms without), medians of a few alternating rounds."""
    os.environ.update({k: v for k, v in env.items() if k.startswith("AGORA_")})
    os.environ["AGORA_ENV"] = "test"  # no production checks for an in-process run
    from app.config import get_settings
    from app.db import get_engine

    get_settings.cache_clear()
    get_engine.cache_clear()
    with_index, without = [], []
    for _ in range(ROUNDS):
        with_index.append(_writes_ms(lambda session: None))
        with _without_search_subscribers():
            without.append(_writes_ms(_drop_triggers))
    get_engine().dispose()
    return statistics.median(with_index), statistics.median(without)
