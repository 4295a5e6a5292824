"""avatars: profile pictures and space header images, their bytes kept in the database

Revision ID: 0025_avatars
Revises: 0017_live_email
Create Date: 2026-12-05 12:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import app.core.db

revision: str = '0025_avatars'
down_revision: str | None = '0024_uploads'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('stored_images',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('owner_kind', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('owner_id', sa.Integer(), nullable=False),
    sa.Column('width', sa.Integer(), nullable=False),
    sa.Column('height', sa.Integer(), nullable=False),
    sa.Column('content_type', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('version', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('data', sa.LargeBinary(), nullable=False),
    sa.Column('created_at', app.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_stored_images')),
    sa.UniqueConstraint('owner_kind', 'owner_id', 'width', name='uq_stored_images_owner_width')
    )
    # Plain ADD COLUMNs (no batch mode: on SQLite that copies the table, and dropping the old
    # one cascades to every row pointing at it).
    op.add_column('users', sa.Column('avatar_version', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=True))
    op.add_column('spaces', sa.Column('header_image_version', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=True))


def downgrade() -> None:
    op.drop_column('spaces', 'header_image_version')
    op.drop_column('users', 'avatar_version')
    op.drop_table('stored_images')
