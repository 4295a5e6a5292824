"""notification params: what a notification is worded from in the reader's language

Revision ID: 0008_proto2
Revises: 0007_recog2
Create Date: 2026-11-26 23:38:34.829801
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0008_proto2'
down_revision: str | None = '0007_recog2'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.add_column(sa.Column('params', sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.drop_column('params')
