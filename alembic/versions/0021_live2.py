"""live2: notices between processes on SQLite (live updates without NOTIFY); .ics in mail

Revision ID: 0021_live2
Revises: 0017_live_email
Create Date: 2026-12-05 12:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import app.core.db

revision: str = "0021_live2"
down_revision: str | None = "0020_search2"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "live_notices",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("topics", sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=False),
        sa.Column("origin", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("created_at", app.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_live_notices")),
    )
    op.add_column("mail_outbox", sa.Column("ics", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("mail_outbox", schema=None) as batch_op:
        batch_op.drop_column("ics")
    op.drop_table("live_notices")
