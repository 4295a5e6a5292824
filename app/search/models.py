"""The search index: one row per findable thing, with its words folded and stemmed.

The row holds what a result shows (title, plain text for the snippet, space, author, date) and
`terms`, the words as the engines index them (app/search/text.py). Who may read a row is never
stored here: a query joins each row to its source and the access policy, so a post is gone from
results the moment it is hidden, deleted or its space closes, without touching the index.

`recency` orders documents newest first and is the FTS5 rowid on SQLite: FTS5 hands out a
word's matches newest first by itself and stops after the few a page needs, where walking
every match of a common word cost 60-85 ms (app/search/candidates.py).

The engine's own index over `terms` is not a model (alembic/versions/0020_search2.py):
SQLite: the FTS5 table `search_fts` (external content, rowid = recency, kept by triggers);
PostgreSQL: a GIN index on to_tsvector('simple', terms).
"""

from datetime import UTC, datetime
from enum import StrEnum

from sqlalchemy import BigInteger, Column, Index, String, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from app.core.db import UTCDateTime, utcnow


class SearchKind(StrEnum):
    post = "post"
    comment = "comment"
    protocol = "protocol"
    event = "event"
    space = "space"
    person = "person"


class SearchDocument(SQLModel, table=True):
    __tablename__ = "search_documents"
    __table_args__ = (
        UniqueConstraint("kind", "target_id"),
        # Results come newest first, by keyset on recency.
        Index("ix_search_documents_recency", "recency", unique=True),
    )

    id: int | None = Field(default=None, primary_key=True)
    kind: SearchKind = Field(sa_type=String(16))
    target_id: int
    # A comment's post (its result links there); None for the other kinds.
    post_id: int | None = Field(default=None)
    space_id: int | None = Field(default=None, index=True)
    author_id: int | None = Field(default=None)
    title: str = Field(default="", max_length=300)
    body: str = Field(default="", sa_column=Column(Text, nullable=False))
    terms: str = Field(default="", sa_column=Column(Text, nullable=False))
    created_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False)
    )
    recency: int = Field(sa_column=Column(BigInteger, nullable=False))


_EPOCH = datetime(2000, 1, 1, tzinfo=UTC)
_KINDS = {kind: number for number, kind in enumerate(SearchKind)}
TARGET_BITS = 28


def recency_key(kind: SearchKind, target_id: int, created_at: datetime) -> int:
    """A unique number that orders documents by creation time: the second since 2000 in the
    high bits, then the kind and the source's id (ids stay below 2**28, 268 million rows of a
    kind; the second lasts until 2136 within a signed 64-bit integer)."""
    seconds = int((created_at - _EPOCH).total_seconds())
    return (seconds << 31) | (_KINDS[kind] << TARGET_BITS) | (target_id & ((1 << TARGET_BITS) - 1))
