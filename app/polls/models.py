"""Date polls (find a date for a meetup) and quick polls (a question inside a post).

A date poll's answers name their person: the space's members see who can come. A quick poll
is named or anonymous as its author chooses; an anonymous poll keeps only *that* someone
answered (a ballot, which prevents a second answer) and a count per option, never who chose what.
"""

from datetime import datetime
from enum import StrEnum

from sqlalchemy import CheckConstraint, Column, Index, String, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from app.core.db import UTCDateTime, utcnow

MAX_OPTIONS = 20


class DateChoice(StrEnum):
    yes = "yes"
    maybe = "maybe"
    no = "no"


class DatePoll(SQLModel, table=True):
    __tablename__ = "date_polls"
    __table_args__ = (
        Index("ix_date_polls_space_created", "space_id", "id"),
        # The closing job looks for open polls whose time has come.
        Index("ix_date_polls_open_closes", "closed_at", "closes_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    space_id: int = Field(foreign_key="spaces.id", ondelete="CASCADE")
    created_by_id: int | None = Field(
        default=None, foreign_key="users.id", index=True, ondelete="SET NULL"
    )
    title: str = Field(max_length=200)
    description: str = Field(default="", sa_column=Column(Text, nullable=False))
    # The zone the proposer entered the slots in; readers see them in their own.
    timezone: str = Field(max_length=64)
    closes_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime, nullable=True))
    closed_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime, nullable=True))
    event_id: int | None = Field(default=None, foreign_key="events.id", ondelete="SET NULL")
    created_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False)
    )


class DatePollOption(SQLModel, table=True):
    __tablename__ = "date_poll_options"
    __table_args__ = (
        UniqueConstraint("poll_id", "starts_at", "ends_at", name="uq_date_poll_options_slot"),
    )

    id: int | None = Field(default=None, primary_key=True)
    poll_id: int = Field(foreign_key="date_polls.id", ondelete="CASCADE")
    starts_at: datetime = Field(sa_column=Column(UTCDateTime, nullable=False))
    ends_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime, nullable=True))


class DatePollAnswer(SQLModel, table=True):
    """One person's answer to one slot; `answered_at` is when they first said this answer,
    so a converted slot's waitlist follows the order people said yes."""

    __tablename__ = "date_poll_answers"
    __table_args__ = (
        UniqueConstraint("option_id", "user_id", name="uq_date_poll_answers_option_user"),
        Index("ix_date_poll_answers_poll_user", "poll_id", "user_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    poll_id: int = Field(foreign_key="date_polls.id", ondelete="CASCADE")
    option_id: int = Field(foreign_key="date_poll_options.id", ondelete="CASCADE")
    user_id: int = Field(foreign_key="users.id", index=True, ondelete="CASCADE")
    choice: DateChoice = Field(sa_type=String(8))
    answered_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False)
    )


class Poll(SQLModel, table=True):
    """A quick poll in a post, or beside a protocol (a decision to take): one of the two."""

    __tablename__ = "polls"
    __table_args__ = (
        CheckConstraint("(post_id IS NULL) <> (protocol_id IS NULL)", name="post_or_protocol"),
    )

    id: int | None = Field(default=None, primary_key=True)
    post_id: int | None = Field(
        default=None, foreign_key="posts.id", unique=True, ondelete="CASCADE"
    )
    protocol_id: int | None = Field(
        default=None, foreign_key="protocols.id", index=True, ondelete="CASCADE"
    )
    # A protocol's poll: when its outcome was written into the protocol's decisions.
    decided_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime, nullable=True))
    question: str = Field(max_length=300)
    multiple: bool = Field(default=False)
    anonymous: bool = Field(default=False)
    # True: results only once the poll is closed; False: to whoever has answered.
    results_after_close: bool = Field(default=False)
    closes_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime, nullable=True))
    closed_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime, nullable=True))
    created_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False)
    )


class PollOption(SQLModel, table=True):
    __tablename__ = "poll_options"

    id: int | None = Field(default=None, primary_key=True)
    poll_id: int = Field(foreign_key="polls.id", index=True, ondelete="CASCADE")
    position: int
    text: str = Field(max_length=200)
    # Kept for anonymous polls only (named polls count their votes).
    anonymous_count: int = Field(default=0)


class PollBallot(SQLModel, table=True):
    """That a person answered: prevents a second answer, says nothing of the choice."""

    __tablename__ = "poll_ballots"
    __table_args__ = (UniqueConstraint("poll_id", "user_id", name="uq_poll_ballots_poll_user"),)

    id: int | None = Field(default=None, primary_key=True)
    poll_id: int = Field(foreign_key="polls.id", ondelete="CASCADE")
    user_id: int = Field(foreign_key="users.id", index=True, ondelete="CASCADE")


class PollVote(SQLModel, table=True):
    """A named poll's choice (named polls only)."""

    __tablename__ = "poll_votes"
    __table_args__ = (
        UniqueConstraint("option_id", "user_id", name="uq_poll_votes_option_user"),
        Index("ix_poll_votes_poll_user", "poll_id", "user_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    poll_id: int = Field(foreign_key="polls.id", ondelete="CASCADE")
    option_id: int = Field(foreign_key="poll_options.id", ondelete="CASCADE")
    user_id: int = Field(foreign_key="users.id", index=True, ondelete="CASCADE")
    voted_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False)
    )
