"""A newcomer's checklist progress."""

from datetime import datetime

from sqlalchemy import Column
from sqlmodel import Field, SQLModel

from app.core.db import UTCDateTime


class OnboardingProgress(SQLModel, table=True):
    """The checklist steps that are not cheap to read from other tables, and whether it was put
    away."""

    __tablename__ = "onboarding_progress"

    user_id: int = Field(foreign_key="users.id", primary_key=True, ondelete="CASCADE")
    visibility_seen_at: datetime | None = Field(
        default=None, sa_column=Column(UTCDateTime, nullable=True)
    )
    dismissed_at: datetime | None = Field(
        default=None, sa_column=Column(UTCDateTime, nullable=True)
    )
    # The first comment on a prompt, set when it is written (app.onboarding.subscribers). Reading
    # it from the comments made every home page of a newcomer walk all their comments.
    answered_prompt_at: datetime | None = Field(
        default=None, sa_column=Column(UTCDateTime, nullable=True)
    )
