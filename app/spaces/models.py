"""Spaces and who belongs to them."""

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from sqlalchemy import Column, Index, String, UniqueConstraint
from sqlmodel import Field, SQLModel

from app.core.db import UTCDateTime, utcnow
from app.core.rows import RowView


class Visibility(StrEnum):
    public = "public"
    private = "private"
    secret = "secret"  # noqa: S105 - a visibility level


class JoinPolicy(StrEnum):
    open = "open"
    request = "request"
    invite = "invite"


class MemberRole(StrEnum):
    member = "member"
    host = "host"


class MemberState(StrEnum):
    active = "active"
    requested = "requested"
    invited = "invited"


class Space(SQLModel, table=True):
    __tablename__ = "spaces"

    id: int | None = Field(default=None, primary_key=True)
    slug: str = Field(max_length=60, unique=True, index=True)
    name: str = Field(max_length=80)
    description: str = Field(default="", max_length=2000)
    visibility: Visibility = Field(default=Visibility.public, sa_type=String(16), index=True)
    join_policy: JoinPolicy = Field(default=JoinPolicy.open, sa_type=String(16))
    created_by_id: int | None = Field(default=None, foreign_key="users.id", ondelete="SET NULL")
    created_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False)
    )
    archived_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime, nullable=True))
    # Chosen by an administrator: every newcomer becomes a member (app.spaces.newcomers).
    everyone_joins: bool = Field(default=False)
    # The version of the header image hosts chose (app.spaces.header_image), None without one.
    header_image_version: str | None = Field(default=None, max_length=16)


@dataclass(slots=True)
class SpaceRow(RowView):
    """What lists show of a space (app.core.rows)."""

    model = Space
    id: int
    slug: str
    name: str
    visibility: str


@dataclass(slots=True)
class SpaceHeadRow(SpaceRow):
    """What a space's own page shows of it (its header), and what the access rule reads."""

    description: str
    join_policy: str
    archived_at: datetime | None
    header_image_version: str | None


class Membership(SQLModel, table=True):
    __tablename__ = "memberships"
    __table_args__ = (
        UniqueConstraint("space_id", "user_id", name="uq_memberships_space_user"),
        # "Which spaces am I in?" is on every page: serve it from the index alone.
        Index("ix_memberships_user_state_space", "user_id", "state", "space_id"),
        Index("ix_memberships_space_state_joined", "space_id", "state", "joined_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    space_id: int = Field(foreign_key="spaces.id", ondelete="CASCADE")
    user_id: int = Field(foreign_key="users.id", ondelete="CASCADE")
    role: MemberRole = Field(default=MemberRole.member, sa_type=String(16))
    state: MemberState = Field(default=MemberState.active, sa_type=String(16))
    created_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False)
    )
    # Set when the membership becomes active; the order of joining drives early-adopter badges.
    joined_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime, nullable=True))
    # Where it came from: "" (joined, added or invited in Agora) or "provider" (a group at the
    # single sign-on provider: app.spaces.provider_groups adds and removes those at sign-in).
    source: str = Field(default="", max_length=16, sa_column_kwargs={"server_default": ""})


class AccessGeneration(SQLModel, table=True):
    """A counter of changes that may take read access from someone: a member removed or
    leaving, a space made non-public, an account deactivated (app.spaces.access).

    Live connections (protocol sync) remember the value they last checked their reader
    against and check again whenever it moved, before they send anything more, in every
    process. One counter row rather than a log: its UPDATE takes the row lock, so the value
    moves in commit order on every engine, and whoever reads a value sees every change it
    counts (ids from a sequence can commit out of order)."""

    __tablename__ = "access_generation"

    id: int | None = Field(default=None, primary_key=True)  # always the one row, id 1
    generation: int = Field(default=0)


@dataclass(slots=True)
class MembershipRow(RowView):
    """A person's membership as the access rule reads it (app.core.rows): a page that shows a space
    reads it as a row beside the space's."""

    model = Membership
    id: int
    role: str
    state: str
