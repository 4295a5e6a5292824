"""Community management: flags, showcase, prompts, site pins and onboarding progress."""

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from sqlalchemy import Column, Index, String, UniqueConstraint
from sqlmodel import Field, SQLModel

from app.db import UTCDateTime, utcnow
from app.rows import RowView


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
    """What the showcase lists show of an entry (app.rows)."""

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
    """What home shows of a pin (app.rows)."""

    model = SitePin
    id: int
    post_id: int
    pinned_at: datetime
    expires_at: datetime | None


class PromptDetails(SQLModel, table=True):
    """What a prompt post adds to a post: the answer format and the library prompt it came from."""

    __tablename__ = "prompt_details"

    post_id: int = Field(foreign_key="posts.id", primary_key=True, ondelete="CASCADE")
    space_id: int = Field(foreign_key="spaces.id", index=True, ondelete="CASCADE")
    answer_format: str = Field(default="", max_length=300)
    library_key: str = Field(default="", max_length=64)


class OnboardingProgress(SQLModel, table=True):
    """The checklist steps that cannot be read from other tables, and whether it was put away."""

    __tablename__ = "onboarding_progress"

    user_id: int = Field(foreign_key="users.id", primary_key=True, ondelete="CASCADE")
    visibility_seen_at: datetime | None = Field(
        default=None, sa_column=Column(UTCDateTime, nullable=True)
    )
    dismissed_at: datetime | None = Field(
        default=None, sa_column=Column(UTCDateTime, nullable=True)
    )
