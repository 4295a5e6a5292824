"""search: the search index (search_documents) and each engine's full-text index over it

SQLite: an FTS5 table with external content (the rows' `terms`), kept in step by triggers, so
every insert, update and delete of a document updates the full-text index in the same
statement. detail=none: results need no phrase or position queries, and the index stays small.
PostgreSQL: a GIN index on to_tsvector('simple', terms) (the words are stemmed and folded by
the application, app/search/text.py). Neither is a model: alembic/env.py leaves them out of the
comparison. A later batch migration that copies search_documents on SQLite must re-create the
triggers.

The index starts empty: `agora search reindex` fills it (safe while the site runs).

Revision ID: 0015_search
Revises: 0011_access_generation
Create Date: 2026-12-05 07:17:37.706984
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import app.core.db

revision: str = '0015_search'
down_revision: str | None = '0014_polls'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SQLITE_UP = (
    "CREATE VIRTUAL TABLE search_fts USING fts5(terms, content='search_documents', "
    "content_rowid='id', tokenize='unicode61 remove_diacritics 0', detail=none)",
    "CREATE TRIGGER search_documents_fts_insert AFTER INSERT ON search_documents BEGIN "
    "INSERT INTO search_fts(rowid, terms) VALUES (new.id, new.terms); END",
    "CREATE TRIGGER search_documents_fts_delete AFTER DELETE ON search_documents BEGIN "
    "INSERT INTO search_fts(search_fts, rowid, terms) VALUES ('delete', old.id, old.terms); END",
    "CREATE TRIGGER search_documents_fts_update AFTER UPDATE OF terms ON search_documents BEGIN "
    "INSERT INTO search_fts(search_fts, rowid, terms) VALUES ('delete', old.id, old.terms); "
    "INSERT INTO search_fts(rowid, terms) VALUES (new.id, new.terms); END",
)
SQLITE_DOWN = (
    "DROP TRIGGER IF EXISTS search_documents_fts_update",
    "DROP TRIGGER IF EXISTS search_documents_fts_delete",
    "DROP TRIGGER IF EXISTS search_documents_fts_insert",
    "DROP TABLE IF EXISTS search_fts",
)
POSTGRES_UP = (
    "CREATE INDEX search_documents_terms_gin ON search_documents "
    "USING gin (to_tsvector('simple'::regconfig, terms))",
)
POSTGRES_DOWN = ("DROP INDEX IF EXISTS search_documents_terms_gin",)


def upgrade() -> None:
    op.create_table('search_documents',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('target_id', sa.Integer(), nullable=False),
    sa.Column('post_id', sa.Integer(), nullable=True),
    sa.Column('space_id', sa.Integer(), nullable=True),
    sa.Column('author_id', sa.Integer(), nullable=True),
    sa.Column('title', sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('terms', sa.Text(), nullable=False),
    sa.Column('created_at', app.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_search_documents')),
    sa.UniqueConstraint('kind', 'target_id', name=op.f('uq_search_documents_kind'))
    )
    with op.batch_alter_table('search_documents', schema=None) as batch_op:
        batch_op.create_index('ix_search_documents_created', ['created_at', 'id'], unique=False)
        batch_op.create_index(batch_op.f('ix_search_documents_space_id'), ['space_id'], unique=False)
    statements = POSTGRES_UP if op.get_bind().dialect.name == "postgresql" else SQLITE_UP
    for statement in statements:
        op.execute(statement)


def downgrade() -> None:
    statements = POSTGRES_DOWN if op.get_bind().dialect.name == "postgresql" else SQLITE_DOWN
    for statement in statements:
        op.execute(statement)
    with op.batch_alter_table('search_documents', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_search_documents_space_id'))
        batch_op.drop_index('ix_search_documents_created')

    op.drop_table('search_documents')
