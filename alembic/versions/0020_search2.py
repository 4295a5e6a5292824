"""search2: documents ordered by `recency`, the FTS5 rowid on SQLite

FTS5 returns a word's matches in rowid order and can stop after a few; with the rowid being a
document's recency, a common word's newest matches come without reading all of them. The
index is derived data: this migration rebuilds its tables empty, and `agora search reindex`
fills them again (safe while the site runs). The created_at index goes: results are ordered
by recency now. FTS5 keeps prefix indexes of 2 and 3 letters: the word being typed is a
prefix, and a short one otherwise merges the matches of hundreds of words.

Revision ID: 0020_search2
Revises: 0017_live_email
Create Date: 2026-12-05 12:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import app.core.db

revision: str = "0020_search2"
down_revision: str | None = "0017_live_email"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _sqlite_fts(rowid: str) -> tuple[str, ...]:
    """The FTS5 table over search_documents.terms with `rowid` (a column name of this file,
    never input) as its rowid, and its triggers."""
    return (  # noqa: S608
        "CREATE VIRTUAL TABLE search_fts USING fts5(terms, content='search_documents', "
        f"content_rowid='{rowid}', tokenize='unicode61 remove_diacritics 0', detail=none, prefix='2 3')",
        "CREATE TRIGGER search_documents_fts_insert AFTER INSERT ON search_documents BEGIN "
        f"INSERT INTO search_fts(rowid, terms) VALUES (new.{rowid}, new.terms); END",
        "CREATE TRIGGER search_documents_fts_delete AFTER DELETE ON search_documents BEGIN "
        "INSERT INTO search_fts(search_fts, rowid, terms) "
        f"VALUES ('delete', old.{rowid}, old.terms); END",
        f"CREATE TRIGGER search_documents_fts_update AFTER UPDATE OF terms, {rowid} "
        "ON search_documents BEGIN "
        "INSERT INTO search_fts(search_fts, rowid, terms) "
        f"VALUES ('delete', old.{rowid}, old.terms); "
        f"INSERT INTO search_fts(rowid, terms) VALUES (new.{rowid}, new.terms); END",
    )


SQLITE_DROP = (
    "DROP TRIGGER IF EXISTS search_documents_fts_update",
    "DROP TRIGGER IF EXISTS search_documents_fts_delete",
    "DROP TRIGGER IF EXISTS search_documents_fts_insert",
    "DROP TABLE IF EXISTS search_fts",
)
POSTGRES_UP = (
    "CREATE INDEX search_documents_terms_gin ON search_documents "
    "USING gin (to_tsvector('simple'::regconfig, terms))",
)


def _documents_table(*extra: sa.Column) -> None:  # type: ignore[type-arg]
    op.create_table(
        "search_documents",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("target_id", sa.Integer(), nullable=False),
        sa.Column("post_id", sa.Integer(), nullable=True),
        sa.Column("space_id", sa.Integer(), nullable=True),
        sa.Column("author_id", sa.Integer(), nullable=True),
        sa.Column("title", sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("terms", sa.Text(), nullable=False),
        sa.Column("created_at", app.core.db.UTCDateTime(timezone=True), nullable=False),
        *extra,
        sa.PrimaryKeyConstraint("id", name=op.f("pk_search_documents")),
        sa.UniqueConstraint("kind", "target_id", name=op.f("uq_search_documents_kind")),
    )
    op.create_index(
        op.f("ix_search_documents_space_id"), "search_documents", ["space_id"], unique=False
    )


def _rebuild(rowid: str) -> None:
    postgresql = op.get_bind().dialect.name == "postgresql"
    if not postgresql:
        for statement in SQLITE_DROP:
            op.execute(statement)
    op.drop_table("search_documents")
    if rowid == "recency":
        _documents_table(sa.Column("recency", sa.BigInteger(), nullable=False))
        op.create_index("ix_search_documents_recency", "search_documents", ["recency"], unique=True)
    else:
        _documents_table()
        op.create_index(
            "ix_search_documents_created", "search_documents", ["created_at", "id"], unique=False
        )
    for statement in POSTGRES_UP if postgresql else _sqlite_fts(rowid):
        op.execute(statement)


def upgrade() -> None:
    _rebuild("recency")


def downgrade() -> None:
    _rebuild("id")
