"""admin_polls: the ID token of a single sign-on session (signing out at the provider); quick
polls beside a protocol (a poll belongs to a post or a protocol); large CSV imports in batches

Revision ID: 0022_admin_polls
Revises: 0017_live_email
Create Date: 2026-12-05 12:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import app.core.db

revision: str = '0022_admin_polls'
down_revision: str | None = '0021_live2'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('people_imports',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('total', sa.Integer(), nullable=False),
    sa.Column('done', sa.Integer(), nullable=False),
    sa.Column('invitations', sa.JSON(), nullable=False),
    sa.Column('failures', sa.JSON(), nullable=False),
    sa.Column('created_at', app.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('finished_at', app.core.db.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_people_imports_created_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_people_imports'))
    )
    with op.batch_alter_table('people_imports', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_people_imports_created_by_id'), ['created_by_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_people_imports_finished_at'), ['finished_at'], unique=False)

    with op.batch_alter_table('auth_sessions', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('oidc_id_token', sqlmodel.sql.sqltypes.AutoString(length=4000), nullable=True)
        )
    with op.batch_alter_table('polls', schema=None) as batch_op:
        batch_op.add_column(sa.Column('protocol_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('decided_at', app.core.db.UTCDateTime(timezone=True), nullable=True))
        batch_op.alter_column('post_id', existing_type=sa.INTEGER(), nullable=True)
        batch_op.create_index(batch_op.f('ix_polls_protocol_id'), ['protocol_id'], unique=False)
        batch_op.create_foreign_key(
            batch_op.f('fk_polls_protocol_id_protocols'), 'protocols', ['protocol_id'], ['id'],
            ondelete='CASCADE',
        )
        batch_op.create_check_constraint(
            'post_or_protocol', '(post_id IS NULL) <> (protocol_id IS NULL)'
        )


def downgrade() -> None:
    op.drop_table('people_imports')
    op.execute('DELETE FROM polls WHERE post_id IS NULL')
    with op.batch_alter_table('polls', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_polls_post_or_protocol'), type_='check')
        batch_op.drop_constraint(batch_op.f('fk_polls_protocol_id_protocols'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_polls_protocol_id'))
        batch_op.alter_column('post_id', existing_type=sa.INTEGER(), nullable=False)
        batch_op.drop_column('decided_at')
        batch_op.drop_column('protocol_id')
    with op.batch_alter_table('auth_sessions', schema=None) as batch_op:
        batch_op.drop_column('oidc_id_token')
