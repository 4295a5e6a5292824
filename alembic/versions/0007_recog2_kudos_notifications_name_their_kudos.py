"""Kudos notifications name their kudos, so the list words them in the reader's language.

Older kudos notifications keep kudos_id NULL and show their stored English text.

Revision ID: 0007_recog2
Revises: 0003_protocols
Create Date: 2026-11-26 23:37:50.545630
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007_recog2"
down_revision: str | None = "0003_protocols"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("notifications", schema=None) as batch_op:
        batch_op.add_column(sa.Column("kudos_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_notifications_kudos_id_kudos"),
            "kudos",
            ["kudos_id"],
            ["id"],
            ondelete="CASCADE",
        )


def downgrade() -> None:
    with op.batch_alter_table("notifications", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_notifications_kudos_id_kudos"), type_="foreignkey")
        batch_op.drop_column("kudos_id")
