"""A search is answered by the engine's full-text index, never by reading every document.

The statements are the ones the service sends (captured as they go to the driver) and are
explained with the same parameters: on SQLite the FTS5 table answers the MATCH and documents
are then read by their recency key; on PostgreSQL the GIN index on the terms is used (a bitmap
scan), on a table of a few thousand documents with fresh statistics, where reading the table
or walking the recency index would also be possible.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import event, text
from sqlmodel import Session

from app.core.db import get_engine, utcnow
from app.search import index
from app.search.service import SearchFilters, search
from tests.factories import make_post, make_space, make_user

DOCUMENTS = 3000


@contextmanager
def _sent() -> Iterator[list[tuple[str, Any]]]:
    sent: list[tuple[str, Any]] = []

    def capture(_conn, _cursor, sql, parameters, _context, _many):  # type: ignore[no-untyped-def]
        sent.append((sql, parameters))

    engine = get_engine()
    event.listen(engine, "before_cursor_execute", capture)
    try:
        yield sent
    finally:
        event.remove(engine, "before_cursor_execute", capture)


def _explain(session: Session, sql: str, parameters: Any) -> str:
    dialect = session.get_bind().dialect.name
    prefix = "EXPLAIN QUERY PLAN " if dialect == "sqlite" else "EXPLAIN "
    rows = session.connection().exec_driver_sql(prefix + sql, parameters).all()
    return "\n".join(str(row[-1] if dialect == "sqlite" else row[0]) for row in rows)


@pytest.fixture
def site(session: Session):  # type: ignore[no-untyped-def]
    """A reader, a few thousand documents with common words, one post with a rare one."""
    host = make_user(session, name="Hanna Host")
    space = make_space(session, host=host)
    started = utcnow() - timedelta(days=30)
    fakes = [_FakePost(n, space.id, host.id, started) for n in range(DOCUMENTS)]
    index.save_documents(session, [index.post_document(fake) for fake in fakes])  # type: ignore[arg-type]
    make_post(session, author=host, space=space, title="Found", body="Zaunkoenigreich")
    session.commit()
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("ANALYZE search_documents"))
        session.commit()
    return host


class _FakePost:
    """What post_document reads of a post: documents without the weight of real posts."""

    def __init__(self, n: int, space_id: Any, author_id: Any, started: Any) -> None:
        self.id = 10_000_000 + n
        self.title = f"Weekly notes {n}"
        self.body = "the meeting notes look good, danke für die Protokolle der Woche"
        self.published_at = started + timedelta(minutes=n)
        self.space_id = space_id
        self.author_id = author_id


def test_a_search_reads_the_full_text_index_not_every_document(session, site):
    with _sent() as sent:
        page = search(session, user=site, text_query="Zaunkoenigreich", filters=SearchFilters())
    assert [hit.title for hit in page.items] == ["Found"]

    if session.get_bind().dialect.name == "postgresql":
        matching = [(sql, p) for sql, p in sent if "@@" in sql]
        assert matching, sent
        plan = _explain(session, *matching[0])
        assert "Bitmap Index Scan on search_documents_terms_gin" in plan, plan
        assert "Seq Scan on search_documents" not in plan, plan
        return
    matching = [(sql, p) for sql, p in sent if "search_fts MATCH" in sql]
    assert matching, sent
    plan = _explain(session, *matching[0])
    assert "VIRTUAL TABLE INDEX" in plan and "search_fts" in plan, plan
    lookups = [(sql, p) for sql, p in sent if "json_each" in sql and "search_documents" in sql]
    assert lookups, sent
    plan = _explain(session, *lookups[0])
    assert "ix_search_documents_recency" in plan, plan
    assert "SCAN search_documents" not in plan, plan
