"""What each person wants by email, and the messages waiting to be sent."""

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column, Index, Text
from sqlmodel import Field, SQLModel

from app.core.db import UTCDateTime, utcnow


class NotificationSettings(SQLModel, table=True):
    """A person's email choices; without a row the defaults apply (preferences.py)."""

    __tablename__ = "notification_settings"

    user_id: int = Field(primary_key=True, foreign_key="users.id", ondelete="CASCADE")
    digest: str = Field(default="weekly", max_length=8)
    # Kind of notification -> "immediately" | "digest" | "off"; kinds missing take the default.
    email: dict[str, str] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    # The end of the period the last digest told about: the next one starts here, so nothing
    # is told twice; compared-and-set when a digest is queued, so two processes queue one.
    last_digest_at: datetime | None = Field(
        default=None, sa_column=Column(UTCDateTime, nullable=True)
    )


class OutboxMessage(SQLModel, table=True):
    """A finished message, queued in the transaction of its cause and sent by a job."""

    __tablename__ = "mail_outbox"
    __table_args__ = (Index("ix_mail_outbox_due", "sent_at", "parked_at", "next_attempt_at"),)

    id: int | None = Field(default=None, primary_key=True)
    user_id: int | None = Field(default=None, foreign_key="users.id", ondelete="CASCADE")
    # The space whose content it tells of: checked again when it is sent, so a person who left
    # a private space in between does not receive its content.
    space_id: int | None = Field(default=None, foreign_key="spaces.id", ondelete="CASCADE")
    kind: str = Field(max_length=32)
    to_address: str = Field(max_length=254)
    subject: str = Field(max_length=300)
    text_body: str = Field(sa_column=Column(Text, nullable=False))
    html_body: str = Field(sa_column=Column(Text, nullable=False))
    headers: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    # An event's email carries the event as a calendar file (RFC 5545), attached as `event.ics`.
    ics: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    message_id: str = Field(max_length=200)
    created_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False)
    )
    next_attempt_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False)
    )
    attempts: int = Field(default=0)
    last_error: str = Field(default="", max_length=500)
    # A sender claims a message until this time before talking to the server, so another
    # process passes it by; a sender that died lets the claim lapse.
    claimed_until: datetime | None = Field(
        default=None, sa_column=Column(UTCDateTime, nullable=True)
    )
    claim_token: str | None = Field(default=None, max_length=32)
    sent_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime, nullable=True))
    # Given up after too many failures: shown to the admin, never retried by itself.
    parked_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime, nullable=True))
