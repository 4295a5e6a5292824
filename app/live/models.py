"""Notices between processes on SQLite, where there is no NOTIFY: a small, short-lived table."""

from datetime import datetime

from sqlalchemy import Column
from sqlmodel import Field, SQLModel

from app.core.db import UTCDateTime, utcnow


class LiveNotice(SQLModel, table=True):
    """ "These topics changed", written in the transaction of the change. Every process polls
    for ids above the last it saw while it holds open streams; rows older than a few minutes
    are deleted (a stream that reconnects later reads the notifications table, not this)."""

    __tablename__ = "live_notices"

    id: int | None = Field(default=None, primary_key=True)
    topics: str = Field(max_length=2000)
    # The process that wrote it: that process has already woken its own streams.
    origin: str = Field(max_length=32)
    created_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False)
    )
