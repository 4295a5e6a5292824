"""uploads: uploaded files (what they are attached to) and the admin's upload limits

Revision ID: 0024_uploads
Revises: 0017_live_email
Create Date: 2026-12-05 12:22:01.356711
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import app.core.db

revision: str = '0024_uploads'
down_revision: str | None = '0022_admin_polls'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('upload_settings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('max_file_mb', sa.Integer(), nullable=True),
    sa.Column('allowed_groups', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('quota_mb_per_person', sa.Integer(), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_upload_settings'))
    )
    op.create_table('uploads',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('token', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('uploader_id', sa.Integer(), nullable=True),
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
    sa.Column('content_type', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('width', sa.Integer(), nullable=True),
    sa.Column('height', sa.Integer(), nullable=True),
    sa.Column('has_thumbnail', sa.Boolean(), nullable=False),
    sa.Column('digest', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('created_at', app.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('attached_kind', sa.String(length=16), nullable=True),
    sa.Column('attached_id', sa.Integer(), nullable=True),
    sa.Column('space_id', sa.Integer(), nullable=True),
    sa.Column('deleted_at', app.core.db.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['space_id'], ['spaces.id'], name=op.f('fk_uploads_space_id_spaces'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['uploader_id'], ['users.id'], name=op.f('fk_uploads_uploader_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_uploads')),
    sa.UniqueConstraint('token', name=op.f('uq_uploads_token'))
    )
    with op.batch_alter_table('uploads', schema=None) as batch_op:
        batch_op.create_index('ix_uploads_space_created', ['space_id', 'created_at', 'id'], unique=False)
        batch_op.create_index('ix_uploads_unattached', ['attached_kind', 'created_at'], unique=False)
        batch_op.create_index('ix_uploads_uploader', ['uploader_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('uploads', schema=None) as batch_op:
        batch_op.drop_index('ix_uploads_uploader')
        batch_op.drop_index('ix_uploads_unattached')
        batch_op.drop_index('ix_uploads_space_created')

    op.drop_table('uploads')
    op.drop_table('upload_settings')
