"""Single sign-on: a person's link to their provider account, and sign-ins under way."""

from datetime import datetime

from sqlalchemy import Column, UniqueConstraint
from sqlmodel import Field, SQLModel

from app.core.db import UTCDateTime, utcnow


class OidcLink(SQLModel, table=True):
    """Who a person is at the OpenID provider (issuer + subject, never the email, which may
    change), and the refresh token Agora rechecks them with."""

    __tablename__ = "oidc_links"
    __table_args__ = (UniqueConstraint("issuer", "subject", name="uq_oidc_links_issuer_subject"),)

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="users.id", unique=True, ondelete="CASCADE")
    issuer: str = Field(max_length=255)
    subject: str = Field(max_length=255)
    # The provider's answer to "is this person still with us?"; none when it issues none.
    refresh_token: str | None = Field(default=None, max_length=4000)
    # Groups as the provider sent them at the last sign-in or recheck (space separated).
    groups: str = Field(default="", max_length=4000)
    checked_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False, index=True)
    )
    created_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False)
    )


class OidcFlow(SQLModel, table=True):
    """A sign-in sent to the provider and not back yet. Used once: the callback deletes it, so
    a replayed state finds nothing."""

    __tablename__ = "oidc_flows"

    id: int | None = Field(default=None, primary_key=True)
    state_hash: str = Field(max_length=64, unique=True)
    nonce: str = Field(max_length=128)
    code_verifier: str = Field(max_length=128)
    next_path: str = Field(default="/", max_length=500)
    created_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False, index=True)
    )
