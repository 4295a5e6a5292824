"""Events, their occurrences, RSVPs, calendar feed tokens and follow-up markers.

An occurrence is named by its *original* local start date in the event's time zone (the
RECURRENCE-ID of RFC 5545, at day precision): the documented repeat shapes never put two
occurrences on one day, and the name survives moving one occurrence to another time.
A one-off event has exactly one occurrence, named the same way.
"""

from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import Column, Date, Index, String, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from app.core.db import UTCDateTime, utcnow
from app.core.rows import RowView


class RsvpStatus(StrEnum):
    going = "going"
    maybe = "maybe"
    declined = "declined"
    waitlisted = "waitlisted"


class EventCreators(StrEnum):
    """Who may create events in a space (a per-space setting kept by the events domain)."""

    members = "members"
    hosts = "hosts"


class Event(SQLModel, table=True):
    __tablename__ = "events"
    __table_args__ = (
        # Upcoming lists filter by space and by "not over yet", then order by start.
        Index("ix_events_space_series_end", "space_id", "series_ends_at"),
        Index("ix_events_space_starts", "space_id", "starts_at", "id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    space_id: int = Field(foreign_key="spaces.id", ondelete="CASCADE")
    created_by_id: int | None = Field(
        default=None, foreign_key="users.id", index=True, ondelete="SET NULL"
    )
    title: str = Field(max_length=200)
    description: str = Field(default="", sa_column=Column(Text, nullable=False))
    description_html: str = Field(default="", sa_column=Column(Text, nullable=False))
    # The first occurrence, in UTC; `timezone` is the zone the organiser entered it in, and the
    # zone in which a series keeps its wall-clock time across DST changes.
    starts_at: datetime = Field(sa_column=Column(UTCDateTime, nullable=False))
    ends_at: datetime = Field(sa_column=Column(UTCDateTime, nullable=False))
    timezone: str = Field(max_length=64)
    location: str = Field(default="", max_length=300)
    online_url: str = Field(default="", max_length=500)
    # None: no limit. 0 is allowed and means "waitlist only" (e.g. places not released yet).
    capacity: int | None = Field(default=None)
    rrule: str | None = Field(default=None, max_length=200)
    # End of the last occurrence; None for a series without end. Lets lists skip finished events.
    series_ends_at: datetime | None = Field(
        default=None, sa_column=Column(UTCDateTime, nullable=True)
    )
    rsvp_deadline: datetime | None = Field(
        default=None, sa_column=Column(UTCDateTime, nullable=True)
    )
    # RFC 5545 SEQUENCE: bumped on every change calendar clients must pick up.
    sequence: int = Field(default=0)
    cancelled_at: datetime | None = Field(
        default=None, sa_column=Column(UTCDateTime, nullable=True)
    )
    discussion_post_id: int | None = Field(
        default=None, foreign_key="posts.id", ondelete="SET NULL"
    )
    # Linked protocol; no foreign key yet because the protocols table lives in another branch.
    protocol_id: int | None = Field(default=None)
    # Part of the check-in link shown to hosts as a QR code; rotating it invalidates old codes.
    checkin_code: str = Field(max_length=64)
    created_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False)
    )
    updated_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False)
    )


class EventOccurrence(SQLModel, table=True):
    """A change to one occurrence of a series: other times, another place, or cancelled."""

    __tablename__ = "event_occurrences"
    __table_args__ = (
        UniqueConstraint("event_id", "occurrence_date", name="uq_event_occurrences_event_date"),
    )

    id: int | None = Field(default=None, primary_key=True)
    event_id: int = Field(foreign_key="events.id", ondelete="CASCADE")
    occurrence_date: date = Field(sa_column=Column(Date, nullable=False))
    starts_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime, nullable=True))
    ends_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime, nullable=True))
    location: str | None = Field(default=None, max_length=300)
    cancelled_at: datetime | None = Field(
        default=None, sa_column=Column(UTCDateTime, nullable=True)
    )
    updated_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False)
    )


@dataclass(slots=True)
class EventRow(RowView):
    """What a list of coming occurrences needs of an event: enough to expand its series
    (app.core.rows; the home page's "coming up" box reads these, not entities)."""

    model = Event
    id: int
    space_id: int
    title: str
    starts_at: datetime
    ends_at: datetime
    timezone: str
    location: str
    rrule: str | None
    series_ends_at: datetime | None
    cancelled_at: datetime | None


@dataclass(slots=True)
class OccurrenceChangeRow(RowView):
    """A change to one occurrence, as `resolve` applies it (app.core.rows)."""

    model = EventOccurrence
    id: int
    event_id: int
    occurrence_date: date
    starts_at: datetime | None
    ends_at: datetime | None
    location: str | None
    cancelled_at: datetime | None


class Rsvp(SQLModel, table=True):
    __tablename__ = "rsvps"
    __table_args__ = (
        UniqueConstraint("event_id", "occurrence_date", "user_id", name="uq_rsvps_event_date_user"),
        # Counting places and walking the waitlist in arrival order.
        Index(
            "ix_rsvps_event_date_status_queued",
            "event_id",
            "occurrence_date",
            "status",
            "queued_at",
            "id",
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    event_id: int = Field(foreign_key="events.id", ondelete="CASCADE")
    occurrence_date: date = Field(sa_column=Column(Date, nullable=False))
    user_id: int = Field(foreign_key="users.id", index=True, ondelete="CASCADE")
    status: RsvpStatus = Field(sa_type=String(16))
    # When the person last asked for a place: the waitlist is served in this order.
    queued_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False)
    )
    responded_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False)
    )
    checked_in_at: datetime | None = Field(
        default=None, sa_column=Column(UTCDateTime, nullable=True)
    )


class CalendarToken(SQLModel, table=True):
    """A secret feed address: a person's own calendar (space_id None) or one space's.

    Only the token's hash is looked up; the token itself is re-derived from `salt` with the
    server secret when the owner asks for the address again, so the database alone never
    reveals a working feed URL.
    """

    __tablename__ = "calendar_tokens"
    __table_args__ = (Index("ix_calendar_tokens_user_space", "user_id", "space_id", "revoked_at"),)

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="users.id", ondelete="CASCADE")
    space_id: int | None = Field(default=None, foreign_key="spaces.id", ondelete="CASCADE")
    salt: str = Field(max_length=64)
    token_hash: str = Field(max_length=64, unique=True, index=True)
    created_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False)
    )
    revoked_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime, nullable=True))


class EventFollowup(SQLModel, table=True):
    """Marks an occurrence whose follow-up went out; the unique key makes the job run once."""

    __tablename__ = "event_followups"
    __table_args__ = (
        UniqueConstraint("event_id", "occurrence_date", name="uq_event_followups_event_date"),
    )

    id: int | None = Field(default=None, primary_key=True)
    event_id: int = Field(foreign_key="events.id", ondelete="CASCADE")
    occurrence_date: date = Field(sa_column=Column(Date, nullable=False))
    sent_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False))


class EventSpaceSetting(SQLModel, table=True):
    """Per-space event settings; a space without a row lets its members create events."""

    __tablename__ = "event_space_settings"

    space_id: int = Field(foreign_key="spaces.id", primary_key=True, ondelete="CASCADE")
    creators: EventCreators = Field(default=EventCreators.members, sa_type=String(16))
