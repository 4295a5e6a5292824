"""posts.by_leader: leaders' voices from a small index of leaders' posts

Revision ID: 0010_leader_posts
Revises: 0009_voices
Create Date: 2026-11-27 06:45:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0010_leader_posts'
down_revision: str | None = '0009_voices'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# As in app/posts/models.py at this revision (a migration does not import the models).
SQLITE_WHERE = 'by_leader = 1 AND deleted_at IS NULL AND hidden_at IS NULL'
POSTGRESQL_WHERE = 'by_leader = true AND deleted_at IS NULL AND hidden_at IS NULL'


def upgrade() -> None:
    # A plain ADD COLUMN (SQLite can add one with a constant default): batch mode would copy
    # the table and drop the old one, and with foreign keys on, that drop deletes every
    # comment and reaction by cascade.
    op.add_column(
        'posts', sa.Column('by_leader', sa.Boolean(), nullable=False, server_default=sa.false())
    )
    # Posts already written by today's leaders are leaders' posts.
    op.execute(
        "UPDATE posts SET by_leader = (SELECT users.is_leader FROM users"
        " WHERE users.id = posts.author_id) WHERE author_id IS NOT NULL"
    )
    op.create_index(
        'ix_posts_leader_published',
        'posts',
        ['published_at', 'id', 'space_id', 'author_id'],
        unique=False,
        sqlite_where=sa.text(SQLITE_WHERE),
        postgresql_where=sa.text(POSTGRESQL_WHERE),
    )


def downgrade() -> None:
    op.drop_index('ix_posts_leader_published', table_name='posts')
    op.drop_column('posts', 'by_leader')  # not batch mode, for the reason given above
