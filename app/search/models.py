"""The search index: one row per findable thing, with its words folded and stemmed.

The row holds what a result shows (title, plain text for the snippet, space, author, date) and
`terms`, the words as the engines index them (app/search/text.py). Who may read a row is never
stored here: a query joins each row to its source and the access policy, so a post is gone from
results the moment it is hidden, deleted or its space closes, without touching the index.

The engine's own index over `terms` is not a model (alembic/versions/0015_search.py):
SQLite: the FTS5 table `search_fts` (external content, kept by triggers);
PostgreSQL: a GIN index on to_tsvector('simple', terms).
"""

from datetime import datetime
from enum import StrEnum

from sqlalchemy import Column, Index, String, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from app.db import UTCDateTime, utcnow


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
        # Results come newest first, by keyset (created_at, id).
        Index("ix_search_documents_created", "created_at", "id"),
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
