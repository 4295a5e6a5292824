"""Announcements pinned on everyone's home page."""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Column
from sqlmodel import Field, SQLModel

from app.core.db import UTCDateTime, utcnow
from app.core.rows import RowView


class SitePin(SQLModel, table=True):
    """An announcement an admin pinned on everyone's home page, until it expires."""

    __tablename__ = "site_pins"

    id: int | None = Field(default=None, primary_key=True)
    post_id: int = Field(foreign_key="posts.id", unique=True, ondelete="CASCADE")
    pinned_by_id: int | None = Field(default=None, foreign_key="users.id", ondelete="SET NULL")
    pinned_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False)
    )
    expires_at: datetime | None = Field(
        default=None, sa_column=Column(UTCDateTime, nullable=True, index=True)
    )


@dataclass(slots=True)
class SitePinRow(RowView):
    """What home shows of a pin (app.core.rows)."""

    model = SitePin
    id: int
    post_id: int
    pinned_at: datetime
    expires_at: datetime | None
