"""polish: each person's choice of light, dark or the device's theme

Revision ID: 0013_polish
Revises: 0011_access_generation
Create Date: 2026-12-05 08:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0013_polish'
down_revision: str | None = '0011_access_generation'
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


def downgrade() -> None:
    op.drop_column('users', 'theme')  # not batch mode, for the reason given above
