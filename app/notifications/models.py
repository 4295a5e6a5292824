"""Notifications a person sees in their list."""

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column, Index
from sqlmodel import Field, SQLModel

from app.core.db import UTCDateTime, utcnow


class Notification(SQLModel, table=True):
    __tablename__ = "notifications"
    __table_args__ = (
        Index("ix_notifications_user_created", "user_id", "created_at", "id"),
        Index("ix_notifications_user_unread", "user_id", "read_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="users.id", ondelete="CASCADE")
    kind: str = Field(max_length=32)
    actor_id: int | None = Field(default=None, foreign_key="users.id", ondelete="SET NULL")
    # The space whose content this points at: listing re-checks it, so a person who lost
    # access no longer sees what the notification pointed to.
    space_id: int | None = Field(default=None, foreign_key="spaces.id", ondelete="CASCADE")
    post_id: int | None = Field(default=None, foreign_key="posts.id", ondelete="CASCADE")
    comment_id: int | None = Field(default=None, foreign_key="comments.id", ondelete="CASCADE")
    # Kudos notifications are worded from the kudos row when shown (the reader's language).
    kudos_id: int | None = Field(default=None, foreign_key="kudos.id", ondelete="CASCADE")
    url: str = Field(default="", max_length=300)
    text: str = Field(default="", max_length=300)
    # What the message of its kind is worded from (e.g. a protocol title and an action item),
    # so the list shows it in the reader's language; `text` keeps the English for the API.
    params: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON, nullable=True))
    created_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False)
    )
    read_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime, nullable=True))
