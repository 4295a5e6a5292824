"""first_day: spaces everyone joins, and a welcome owed to a newcomer

Revision ID: 0012_first_day
Revises: 0011_access_generation
Create Date: 2026-12-05 07:30:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0012_first_day'
down_revision: str | None = '0011_access_generation'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Plain ADD COLUMNs with a constant default (no batch mode: on SQLite that copies the table,
    # and dropping the old one cascades to every row pointing at it). People already here have
    # signed in before: they owe no welcome.
    op.add_column(
        'spaces',
        sa.Column('everyone_joins', sa.Boolean(), nullable=False, server_default=sa.false()),
    )
    op.add_column(
        'users',
        sa.Column('welcome_pending', sa.Boolean(), nullable=False, server_default=sa.false()),
    )


def downgrade() -> None:
    op.drop_column('users', 'welcome_pending')
    op.drop_column('spaces', 'everyone_joins')
