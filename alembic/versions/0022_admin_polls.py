"""admin_polls: the ID token of a single sign-on session, for signing out at the provider

Revision ID: 0022_admin_polls
Revises: 0017_live_email
Create Date: 2026-12-05 12:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = '0022_admin_polls'
down_revision: str | None = '0017_live_email'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('auth_sessions', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('oidc_id_token', sqlmodel.sql.sqltypes.AutoString(length=4000), nullable=True)
        )


def downgrade() -> None:
    with op.batch_alter_table('auth_sessions', schema=None) as batch_op:
        batch_op.drop_column('oidc_id_token')
