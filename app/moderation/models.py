"""Moderation: flags on posts and comments, and what moderators decided."""

from datetime import datetime
from enum import StrEnum

from sqlalchemy import Column, Index, String, UniqueConstraint
from sqlmodel import Field, SQLModel

from app.core.db import UTCDateTime, utcnow


class FlagTarget(StrEnum):
    post = "post"
    comment = "comment"


class FlagState(StrEnum):
    open = "open"
    hidden = "hidden"
    restored = "restored"
    dismissed = "dismissed"
    warned = "warned"


class Flag(SQLModel, table=True):
    """Someone reported a post or comment; a moderator resolves all open flags on it at once."""

    __tablename__ = "flags"
    __table_args__ = (
        # One flag per person per target: repeating a flag must not push content over the threshold.
        UniqueConstraint(
            "target_type", "target_id", "reporter_id", name="uq_flags_target_reporter"
        ),
        Index("ix_flags_state_space_created", "state", "space_id", "created_at"),
        Index("ix_flags_target_state", "target_type", "target_id", "state"),
    )

    id: int | None = Field(default=None, primary_key=True)
    target_type: FlagTarget = Field(sa_type=String(16))
    target_id: int
    # The post itself, or the post a flagged comment belongs to; the space decides who moderates.
    post_id: int = Field(foreign_key="posts.id", index=True, ondelete="CASCADE")
    space_id: int = Field(foreign_key="spaces.id", ondelete="CASCADE")
    reporter_id: int | None = Field(
        default=None, foreign_key="users.id", index=True, ondelete="SET NULL"
    )
    reason: str = Field(max_length=500)
    state: FlagState = Field(default=FlagState.open, sa_type=String(16))
    created_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False)
    )
    resolved_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime, nullable=True))
    resolved_by_id: int | None = Field(default=None, foreign_key="users.id", ondelete="SET NULL")
    # What the moderator told the author (hide, warn), kept so the author can read it again.
    resolution_note: str = Field(default="", max_length=1000)
