"""sso: single sign-on links and flows, the provider's session id, the last sign-in, audit addresses,
memberships from provider groups

Revision ID: 0016_sso
Revises: 0011_access_generation
Create Date: 2026-12-05 07:40:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import app.core.db

revision: str = '0016_sso'
down_revision: str | None = '0015_search'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        'oidc_links',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('issuer', sa.String(length=255), nullable=False),
        sa.Column('subject', sa.String(length=255), nullable=False),
        sa.Column('refresh_token', sa.String(length=4000), nullable=True),
        sa.Column('groups', sa.String(length=4000), nullable=False),
        sa.Column('checked_at', app.core.db.UTCDateTime(), nullable=False),
        sa.Column('created_at', app.core.db.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ['user_id'], ['users.id'], name=op.f('fk_oidc_links_user_id_users'), ondelete='CASCADE'
        ),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_oidc_links')),
        sa.UniqueConstraint('issuer', 'subject', name='uq_oidc_links_issuer_subject'),
        sa.UniqueConstraint('user_id', name=op.f('uq_oidc_links_user_id')),
    )
    op.create_index(op.f('ix_oidc_links_checked_at'), 'oidc_links', ['checked_at'], unique=False)
    op.create_table(
        'oidc_flows',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('state_hash', sa.String(length=64), nullable=False),
        sa.Column('nonce', sa.String(length=128), nullable=False),
        sa.Column('code_verifier', sa.String(length=128), nullable=False),
        sa.Column('next_path', sa.String(length=500), nullable=False),
        sa.Column('created_at', app.core.db.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_oidc_flows')),
        sa.UniqueConstraint('state_hash', name=op.f('uq_oidc_flows_state_hash')),
    )
    op.create_index(op.f('ix_oidc_flows_created_at'), 'oidc_flows', ['created_at'], unique=False)
    with op.batch_alter_table('auth_sessions') as batch:
        batch.add_column(sa.Column('oidc_sid', sa.String(length=255), nullable=True))
        batch.create_index(batch.f('ix_auth_sessions_oidc_sid'), ['oidc_sid'], unique=False)
    with op.batch_alter_table('users') as batch:
        batch.add_column(sa.Column('last_sign_in_at', app.core.db.UTCDateTime(), nullable=True))
    with op.batch_alter_table('memberships') as batch:
        batch.add_column(
            sa.Column('source', sa.String(length=16), nullable=False, server_default='')
        )
    with op.batch_alter_table('audit_entries') as batch:
        batch.add_column(
            sa.Column('address', sa.String(length=64), nullable=False, server_default='')
        )
        batch.create_index(batch.f('ix_audit_entries_created_at'), ['created_at'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('memberships') as batch:
        batch.drop_column('source')
    with op.batch_alter_table('audit_entries') as batch:
        batch.drop_index(batch.f('ix_audit_entries_created_at'))
        batch.drop_column('address')
    with op.batch_alter_table('users') as batch:
        batch.drop_column('last_sign_in_at')
    with op.batch_alter_table('auth_sessions') as batch:
        batch.drop_index(batch.f('ix_auth_sessions_oidc_sid'))
        batch.drop_column('oidc_sid')
    op.drop_index(op.f('ix_oidc_flows_created_at'), table_name='oidc_flows')
    op.drop_table('oidc_flows')
    op.drop_index(op.f('ix_oidc_links_checked_at'), table_name='oidc_links')
    op.drop_table('oidc_links')
