"""search vocabulary: the words of the SQLite full-text index, to complete a long prefix;
FTS5 merges its segments eight at a time

FTS5 keeps prefix indexes of 2 and 3 letters only; a longer prefix ("nicht*") is answered by
merging the match lists of every word it starts, for every batch a search reads. An fts5vocab
table lists the index's words in order, so a prefix is completed to its most common words
once and those are matched by name (app/search/candidates.py). PostgreSQL needs nothing: its
GIN index answers a prefix by a range of its own keys.

Each committed write is a new FTS5 segment, merged with others of its level once there are
`automerge` of them. At the default 4, merging was half of what the index added to a comment
write (0.25 of 0.5 ms CPU, measured in-process on 1.1 million documents); 8 leaves fewer
levels to rewrite each term through, for a few more segments per level to look up.

Revision ID: 0027_h16c
Revises: 0026_h17a
Create Date: 2026-12-06 13:30:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0027_h16c"
down_revision: str | None = "0026_h17a"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute("CREATE VIRTUAL TABLE search_fts_vocab USING fts5vocab(search_fts, row)")
        op.execute("INSERT INTO search_fts(search_fts, rank) VALUES ('automerge', 8)")


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute("INSERT INTO search_fts(search_fts, rank) VALUES ('automerge', 4)")
        op.execute("DROP TABLE IF EXISTS search_fts_vocab")
