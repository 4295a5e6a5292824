"""indexes for leaders' voices: posts by author newest first, and the few leaders

Revision ID: 0009_voices
Revises: 0008_proto2
Create Date: 2026-11-27 03:43:28.423476
"""

from collections.abc import Sequence

from alembic import op

revision: str = '0009_voices'
down_revision: str | None = '0008_proto2'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # The composite index also serves every lookup the single-column one did.
    op.drop_index('ix_posts_author_id', table_name='posts')
    op.create_index(
        'ix_posts_author_published',
        'posts',
        ['author_id', 'published_at', 'id', 'space_id'],
        unique=False,
    )
    op.create_index('ix_users_is_leader', 'users', ['is_leader'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_users_is_leader', table_name='users')
    op.drop_index('ix_posts_author_published', table_name='posts')
    op.create_index('ix_posts_author_id', 'posts', ['author_id'], unique=False)
