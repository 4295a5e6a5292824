"""The showcase: entries, their tags and members' suggestions."""

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from sqlalchemy import Column, Index, String, UniqueConstraint
from sqlmodel import Field, SQLModel

from app.core.db import UTCDateTime, utcnow
from app.core.rows import RowView


class ShowcaseOrigin(StrEnum):
    internal = "internal"
    external = "external"


class ShowcaseEntry(SQLModel, table=True):
    """A post moderators hold up as a good example (tip 2)."""

    __tablename__ = "showcase_entries"
    __table_args__ = (Index("ix_showcase_entries_featured", "featured_at", "id"),)

    id: int | None = Field(default=None, primary_key=True)
    post_id: int = Field(foreign_key="posts.id", unique=True, ondelete="CASCADE")
    space_id: int = Field(foreign_key="spaces.id", index=True, ondelete="CASCADE")
    origin: ShowcaseOrigin = Field(default=ShowcaseOrigin.internal, sa_type=String(16))
    external_url: str = Field(default="", max_length=500)
    featured_by_id: int | None = Field(default=None, foreign_key="users.id", ondelete="SET NULL")
    featured_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False)
    )


@dataclass(slots=True)
class ShowcaseEntryRow(RowView):
    """What the showcase lists show of an entry (app.core.rows)."""

    model = ShowcaseEntry
    id: int
    post_id: int
    space_id: int
    origin: str
    external_url: str
    featured_at: datetime


class ShowcaseTag(SQLModel, table=True):
    __tablename__ = "showcase_tags"
    __table_args__ = (
        UniqueConstraint("entry_id", "tag", name="uq_showcase_tags_entry_tag"),
        Index("ix_showcase_tags_tag_entry", "tag", "entry_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    entry_id: int = Field(foreign_key="showcase_entries.id", ondelete="CASCADE")
    tag: str = Field(max_length=32)


class SuggestionState(StrEnum):
    open = "open"
    accepted = "accepted"
    declined = "declined"


class ShowcaseSuggestion(SQLModel, table=True):
    """A member thinks a post belongs in the showcase; a moderator decides."""

    __tablename__ = "showcase_suggestions"
    __table_args__ = (
        UniqueConstraint("post_id", "suggested_by_id", name="uq_showcase_suggestions_post_user"),
        Index("ix_showcase_suggestions_state_space", "state", "space_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    post_id: int = Field(foreign_key="posts.id", ondelete="CASCADE")
    space_id: int = Field(foreign_key="spaces.id", ondelete="CASCADE")
    suggested_by_id: int | None = Field(default=None, foreign_key="users.id", ondelete="SET NULL")
    note: str = Field(default="", max_length=500)
    state: SuggestionState = Field(default=SuggestionState.open, sa_type=String(16))
    created_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False)
    )
