"""The bytes of processed images, one row per owner and width.

They live in the database rather than on disk: every app process reads the same rows, and
`agora backup` (a database dump) includes them. Each is a few kilobytes, made once on upload.
"""

from datetime import datetime

from sqlalchemy import Column, LargeBinary, UniqueConstraint
from sqlmodel import Field, SQLModel

from app.core.db import UTCDateTime, utcnow


class StoredImage(SQLModel, table=True):
    __tablename__ = "stored_images"
    __table_args__ = (
        UniqueConstraint("owner_kind", "owner_id", "width", name="uq_stored_images_owner_width"),
    )

    id: int | None = Field(default=None, primary_key=True)
    # "avatar" (owner: a person) or "space_header" (owner: a space); no foreign key, so one
    # table serves both. The owners' services delete the rows with the owner's picture.
    owner_kind: str = Field(max_length=16)
    owner_id: int
    width: int
    height: int
    content_type: str = Field(max_length=32)
    # The version of the picture (shared by its sizes): the URLs and ETags name it.
    version: str = Field(max_length=16)
    data: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    created_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False)
    )
