"""recognition: badges, awards, kudos, recognition preferences and site settings

Built-in badges are not inserted here: app.recognition.badges.ensure_builtin_badges adds any
that are missing (insert-if-absent) whenever the engine runs, so code and data stay in step.

Revision ID: 0005_recognition
Revises: 0004_events
Create Date: 2026-11-26 20:42:25.678849
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import app.core.db

revision: str = '0005_recognition'
# Chained after events (merged into main first); it needs only the foundation's tables.
down_revision: str | None = '0006_community'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('badges',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('slug', sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False),
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
    sa.Column('description', sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
    sa.Column('icon', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('level', sa.String(length=16), nullable=False),
    sa.Column('rule', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=True),
    sa.Column('threshold', sa.Integer(), nullable=True),
    sa.Column('beside_name', sa.Boolean(), nullable=False),
    sa.Column('is_builtin', sa.Boolean(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', app.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_badges_created_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_badges'))
    )
    with op.batch_alter_table('badges', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_badges_slug'), ['slug'], unique=True)

    op.create_table('recognition_preferences',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('hide_badges', sa.Boolean(), nullable=False),
    sa.Column('kudos_in_space', sa.Boolean(), nullable=False),
    sa.Column('updated_at', app.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_recognition_preferences_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('user_id', name=op.f('pk_recognition_preferences'))
    )
    op.create_table('recognition_settings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('early_adopter_count', sa.Integer(), nullable=False),
    sa.Column('early_adopter_days', sa.Integer(), nullable=False),
    sa.Column('kudos_monthly_budget', sa.Integer(), nullable=False),
    sa.Column('thank_you_wall', sa.Boolean(), nullable=False),
    sa.Column('updated_by_id', sa.Integer(), nullable=True),
    sa.Column('updated_at', app.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['updated_by_id'], ['users.id'], name=op.f('fk_recognition_settings_updated_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_recognition_settings'))
    )
    op.create_table('awards',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('badge_id', sa.Integer(), nullable=False),
    sa.Column('space_id', sa.Integer(), nullable=True),
    sa.Column('granted_by_id', sa.Integer(), nullable=True),
    sa.Column('reason', sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
    sa.Column('granted_at', app.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['badge_id'], ['badges.id'], name=op.f('fk_awards_badge_id_badges'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['granted_by_id'], ['users.id'], name=op.f('fk_awards_granted_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['space_id'], ['spaces.id'], name=op.f('fk_awards_space_id_spaces'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_awards_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_awards')),
    sa.UniqueConstraint('user_id', 'badge_id', 'space_id', name='uq_awards_user_badge_space')
    )
    with op.batch_alter_table('awards', schema=None) as batch_op:
        batch_op.create_index('ix_awards_badge_space', ['badge_id', 'space_id'], unique=False)
        batch_op.create_index('uq_awards_user_badge_site', ['user_id', 'badge_id'], unique=True, sqlite_where=sa.text('space_id IS NULL'), postgresql_where=sa.text('space_id IS NULL'))

    op.create_table('kudos',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('giver_id', sa.Integer(), nullable=False),
    sa.Column('receiver_id', sa.Integer(), nullable=False),
    sa.Column('message', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
    sa.Column('target_type', sa.String(length=16), nullable=True),
    sa.Column('target_id', sa.Integer(), nullable=True),
    sa.Column('space_id', sa.Integer(), nullable=True),
    sa.Column('batch', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('created_at', app.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['giver_id'], ['users.id'], name=op.f('fk_kudos_giver_id_users'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['receiver_id'], ['users.id'], name=op.f('fk_kudos_receiver_id_users'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['space_id'], ['spaces.id'], name=op.f('fk_kudos_space_id_spaces'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_kudos'))
    )
    with op.batch_alter_table('kudos', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_kudos_batch'), ['batch'], unique=False)
        batch_op.create_index('ix_kudos_giver_created', ['giver_id', 'created_at'], unique=False)
        batch_op.create_index('ix_kudos_receiver_created', ['receiver_id', 'created_at', 'id'], unique=False)
        batch_op.create_index('ix_kudos_space_created', ['space_id', 'created_at', 'id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('kudos', schema=None) as batch_op:
        batch_op.drop_index('ix_kudos_space_created')
        batch_op.drop_index('ix_kudos_receiver_created')
        batch_op.drop_index('ix_kudos_giver_created')
        batch_op.drop_index(batch_op.f('ix_kudos_batch'))

    op.drop_table('kudos')
    with op.batch_alter_table('awards', schema=None) as batch_op:
        batch_op.drop_index('uq_awards_user_badge_site', sqlite_where=sa.text('space_id IS NULL'), postgresql_where=sa.text('space_id IS NULL'))
        batch_op.drop_index('ix_awards_badge_space')

    op.drop_table('awards')
    op.drop_table('recognition_settings')
    op.drop_table('recognition_preferences')
    with op.batch_alter_table('badges', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_badges_slug'))

    op.drop_table('badges')
