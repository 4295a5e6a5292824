"""access_generation: a counter of changes that may take read access away

Live protocol connections check it before they send anything more (app.spaces.access).

Revision ID: 0011_access_generation
Revises: 0010_leader_posts
Create Date: 2026-12-04 17:04:43.826706
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0011_access_generation'
down_revision: str | None = '0010_leader_posts'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # No row yet: the first change inserts it (an upsert), and a missing row reads as 0.
    op.create_table(
        'access_generation',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('generation', sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_access_generation')),
    )


def downgrade() -> None:
    op.drop_table('access_generation')
