"""Uploaded files: one row each, the bytes in the storage (app/uploads/storage.py)."""

from datetime import datetime
from enum import StrEnum

from sqlalchemy import Index, String
from sqlmodel import Field, SQLModel

from app.core.db import UTCDateTime, utcnow


class AttachedTo(StrEnum):
    """The kinds of content an upload can belong to; it is readable as that content is."""

    post = "post"
    comment = "comment"
    protocol = "protocol"
    event = "event"


class Upload(SQLModel, table=True):
    __tablename__ = "uploads"
    __table_args__ = (
        # Orphan cleanup walks the never-attached ones by age; hosts list a space's newest first.
        Index("ix_uploads_unattached", "attached_kind", "created_at"),
        Index("ix_uploads_space_created", "space_id", "created_at", "id"),
        Index("ix_uploads_uploader", "uploader_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    # The public name of the upload in URLs and the API: random, so ids cannot be walked.
    token: str = Field(max_length=32, unique=True)
    uploader_id: int | None = Field(default=None, foreign_key="users.id", ondelete="SET NULL")
    name: str = Field(max_length=120)
    content_type: str = Field(max_length=100)
    size: int
    width: int | None = None
    height: int | None = None
    has_thumbnail: bool = False
    # The bytes' SHA-256 (hex): the ETag of the stored file.
    digest: str = Field(max_length=64)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime(timezone=True))
    # Empty until content that references the upload is saved by its uploader.
    attached_kind: AttachedTo | None = Field(default=None, sa_type=String(16))
    attached_id: int | None = None
    space_id: int | None = Field(default=None, foreign_key="spaces.id", ondelete="SET NULL")
    deleted_at: datetime | None = Field(default=None, sa_type=UTCDateTime(timezone=True))


class UploadSettings(SQLModel, table=True):
    """What an admin allows (one row, id 1; without it, the defaults)."""

    __tablename__ = "upload_settings"

    id: int | None = Field(default=None, primary_key=True)
    # Below AGORA_UPLOAD_MAX_MB, which bounds what a request may carry at all.
    max_file_mb: int | None = None
    # Type groups of app/uploads/media.TYPE_GROUPS, comma-separated.
    allowed_groups: str = Field(default="images,documents,text,archives", max_length=200)
    # Storage one person's files may take; None: no limit.
    quota_mb_per_person: int | None = None
