"""polish: each person's choice of light, dark or the device's theme; posts' earlier versions

Revision ID: 0013_polish
Revises: 0011_access_generation
Create Date: 2026-12-05 08:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import app.core.db

revision: str = '0013_polish'
down_revision: str | None = '0012_first_day'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # A plain ADD COLUMN with a constant default (no batch copy of the users table, whose
    # drop would cascade to everything people wrote).
    op.add_column(
        'users',
        sa.Column(
            'theme', sa.String(length=8), nullable=False, server_default='system'
        ),
    )
    op.create_table(
        'post_revisions',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('post_id', sa.Integer(), nullable=False),
        sa.Column('title', sa.String(length=200), nullable=False),
        sa.Column('body', sa.Text(), nullable=False),
        sa.Column('written_at', app.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column('replaced_at', app.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ['post_id'], ['posts.id'], name=op.f('fk_post_revisions_post_id_posts'),
            ondelete='CASCADE',
        ),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_post_revisions')),
    )
    op.create_index('ix_post_revisions_post', 'post_revisions', ['post_id', 'id'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_post_revisions_post', table_name='post_revisions')
    op.drop_table('post_revisions')
    op.drop_column('users', 'theme')  # not batch mode, for the reason given above
