"""Recognition: badges and their awards, kudos, and the person- and site-level settings."""

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from sqlalchemy import Column, Index, String, UniqueConstraint, text
from sqlmodel import Field, SQLModel

from app.core.db import UTCDateTime, utcnow
from app.core.rows import RowView


class BadgeLevel(StrEnum):
    bronze = "bronze"
    silver = "silver"
    gold = "gold"


class KudosTarget(StrEnum):
    """What a kudos can point at (type + id, no foreign key: see kudos_targets.py)."""

    post = "post"
    comment = "comment"
    protocol = "protocol"


class Badge(SQLModel, table=True):
    """A badge is data: built-in ones carry the name of the rule that grants them."""

    __tablename__ = "badges"

    id: int | None = Field(default=None, primary_key=True)
    slug: str = Field(max_length=60, unique=True, index=True)
    name: str = Field(max_length=80)
    description: str = Field(default="", max_length=300)
    icon: str = Field(default="🏅", max_length=16)
    level: BadgeLevel = Field(default=BadgeLevel.bronze, sa_type=String(16))
    # The rule in app/recognition/rules.py that grants it; None: only given by hand.
    rule: str | None = Field(default=None, max_length=40)
    threshold: int | None = Field(default=None)
    # Shown as a small mark beside the person's name where the award's space is shown.
    beside_name: bool = Field(default=False)
    is_builtin: bool = Field(default=False)
    created_by_id: int | None = Field(default=None, foreign_key="users.id", ondelete="SET NULL")
    created_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False)
    )


@dataclass(slots=True)
class BadgeRow(RowView):
    """What a badge beside a name shows (app.core.rows)."""

    model = Badge
    id: int
    slug: str
    name: str
    icon: str
    level: str
    is_builtin: bool


class Award(SQLModel, table=True):
    """One badge given to one person, for one space or (space_id None) for the whole site."""

    __tablename__ = "awards"
    __table_args__ = (
        # Insert-if-absent relies on these two: a space award once per space, a site award once.
        # (NULLs are distinct in a plain unique constraint, hence the partial index for the site.)
        UniqueConstraint("user_id", "badge_id", "space_id", name="uq_awards_user_badge_space"),
        Index(
            "uq_awards_user_badge_site",
            "user_id",
            "badge_id",
            unique=True,
            sqlite_where=text("space_id IS NULL"),
            postgresql_where=text("space_id IS NULL"),
        ),
        Index("ix_awards_badge_space", "badge_id", "space_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="users.id", ondelete="CASCADE")
    badge_id: int = Field(foreign_key="badges.id", ondelete="CASCADE")
    space_id: int | None = Field(default=None, foreign_key="spaces.id", ondelete="CASCADE")
    # None: granted automatically by a rule.
    granted_by_id: int | None = Field(default=None, foreign_key="users.id", ondelete="SET NULL")
    reason: str = Field(default="", max_length=300)
    granted_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False)
    )


class Kudos(SQLModel, table=True):
    """A thank-you with a message, optionally tied to a piece of content (type + id)."""

    __tablename__ = "kudos"
    __table_args__ = (
        Index("ix_kudos_receiver_created", "receiver_id", "created_at", "id"),
        Index("ix_kudos_giver_created", "giver_id", "created_at"),
        Index("ix_kudos_space_created", "space_id", "created_at", "id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    giver_id: int = Field(foreign_key="users.id", ondelete="CASCADE")
    receiver_id: int = Field(foreign_key="users.id", ondelete="CASCADE")
    message: str = Field(max_length=500)
    target_type: str | None = Field(default=None, sa_type=String(16))
    target_id: int | None = Field(default=None)
    # The space of the target: every listing filters on it through the access policy.
    space_id: int | None = Field(default=None, foreign_key="spaces.id", ondelete="CASCADE")
    # Kudos given together (all co-authors of a protocol) share a batch; each counts against
    # the giver's budget.
    batch: str = Field(max_length=32, index=True)
    created_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False)
    )


@dataclass(slots=True)
class KudosRow(RowView):
    """What a kudos line in a stream shows (app.core.rows)."""

    model = Kudos
    id: int
    giver_id: int
    receiver_id: int
    message: str
    target_type: str | None
    target_id: int | None
    space_id: int | None
    created_at: datetime


class RecognitionPreference(SQLModel, table=True):
    """A person's choices; no row means the defaults (badges shown, kudos kept off streams)."""

    __tablename__ = "recognition_preferences"

    user_id: int = Field(foreign_key="users.id", primary_key=True, ondelete="CASCADE")
    hide_badges: bool = Field(default=False)
    kudos_in_space: bool = Field(default=False)
    updated_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False)
    )


class RecognitionSettings(SQLModel, table=True):
    """The site's recognition settings: one row (id 1); no row means the defaults."""

    __tablename__ = "recognition_settings"

    id: int = Field(default=1, primary_key=True)
    early_adopter_count: int = Field(default=10)
    early_adopter_days: int = Field(default=90)
    kudos_monthly_budget: int = Field(default=20)
    thank_you_wall: bool = Field(default=False)
    updated_by_id: int | None = Field(default=None, foreign_key="users.id", ondelete="SET NULL")
    updated_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False)
    )


@dataclass(frozen=True)
class SiteRecognition:
    """What the site's settings say, as read on every write that may earn a badge: a plain row,
    not the entity (loading it cost more than the rules it steers, 2026-12)."""

    early_adopter_count: int
    early_adopter_days: int
    kudos_monthly_budget: int
    thank_you_wall: bool
