"""People: accounts, sign-in sessions, invitations, API tokens, audit trail."""

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Column, Index, String, Text
from sqlmodel import Field, SQLModel

from app.core.db import UTCDateTime, utcnow
from app.core.rows import RowView


class SiteRole(StrEnum):
    member = "member"
    admin = "admin"


class User(SQLModel, table=True):
    __tablename__ = "users"

    id: int | None = Field(default=None, primary_key=True)
    email: str = Field(max_length=254, unique=True, index=True)
    # The @handle used in mentions; unique, lower case, derived from the email on creation.
    handle: str = Field(max_length=40, unique=True, index=True)
    display_name: str = Field(max_length=80)
    title: str = Field(default="", max_length=120)
    department: str = Field(default="", max_length=120)
    password_hash: str | None = Field(default=None, max_length=255)
    site_role: SiteRole = Field(default=SiteRole.member, sa_type=String(16))
    # Indexed: leaders are few, and the home page starts from them (leaders' voices).
    is_leader: bool = Field(default=False, index=True)
    leader_title: str = Field(default="", max_length=120)
    locale: str = Field(default="en", max_length=5)
    time_zone: str = Field(default="Europe/Berlin", max_length=64)
    # "system" follows the device's light or dark setting; "light" and "dark" override it.
    theme: str = Field(
        default="system", max_length=8, sa_column_kwargs={"server_default": "system"}
    )
    is_active: bool = Field(default=True)
    # The version of the person's profile picture (app.people.avatars), None without one: pages
    # build the picture's URL from it, so lists need no other query to show faces.
    avatar_version: str | None = Field(default=None, max_length=16)
    # Set when the account is handed to a newcomer (app.spaces.newcomers); the first sign-in
    # clears it and opens the welcome page.
    welcome_pending: bool = Field(default=False)
    created_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False)
    )
    last_sign_in_at: datetime | None = Field(
        default=None, sa_column=Column(UTCDateTime, nullable=True)
    )

    @property
    def is_admin(self) -> bool:
        return self.site_role == SiteRole.admin


@dataclass(slots=True)
class PersonRow(RowView):
    """What lists show of a person (app.core.rows): never the email or the password hash."""

    model = User
    id: int
    handle: str
    display_name: str
    title: str
    department: str
    is_leader: bool
    leader_title: str
    is_active: bool
    avatar_version: str | None


class AuthSession(SQLModel, table=True):
    """A signed-in browser. The cookie holds a random token; only its hash is stored."""

    __tablename__ = "auth_sessions"

    id: int | None = Field(default=None, primary_key=True)
    token_hash: str = Field(max_length=64, unique=True, index=True)
    user_id: int = Field(foreign_key="users.id", index=True, ondelete="CASCADE")
    created_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False)
    )
    expires_at: datetime = Field(sa_column=Column(UTCDateTime, nullable=False))
    # The provider's session id when signed in through single sign-on: its back-channel logout
    # names it.
    oidc_sid: str | None = Field(default=None, max_length=255, index=True)
    # The ID token of that sign-in, sealed (app/people/sealing.py): signing out sends it back to
    # the provider as `id_token_hint`, so the provider session ends too (RP-initiated logout).
    oidc_id_token: str | None = Field(default=None, max_length=4000)


class LoginAttempt(SQLModel, table=True):
    """Failed sign-ins, kept in the database so every app process sees the same count."""

    __tablename__ = "login_attempts"
    __table_args__ = (
        Index("ix_login_attempts_email_at", "email", "attempted_at"),
        Index("ix_login_attempts_address_at", "address", "attempted_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    email: str = Field(max_length=254)
    address: str = Field(max_length=64)
    attempted_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False)
    )


class Invitation(SQLModel, table=True):
    """A one-time link that lets an invited person set their password."""

    __tablename__ = "invitations"

    id: int | None = Field(default=None, primary_key=True)
    token_hash: str = Field(max_length=64, unique=True, index=True)
    user_id: int = Field(foreign_key="users.id", index=True, ondelete="CASCADE")
    invited_by_id: int | None = Field(default=None, foreign_key="users.id", ondelete="SET NULL")
    created_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False)
    )
    expires_at: datetime = Field(sa_column=Column(UTCDateTime, nullable=False))
    used_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime, nullable=True))


class PasswordReset(SQLModel, table=True):
    """A one-time link that lets a person choose a new password (app/people/resets/service.py).

    Only a keyed hash of the link's secret is stored: a copy of the database opens no account."""

    __tablename__ = "password_resets"

    id: int | None = Field(default=None, primary_key=True)
    token_hash: str = Field(max_length=64, unique=True, index=True)
    user_id: int = Field(foreign_key="users.id", index=True, ondelete="CASCADE")
    # The admin who made the link to hand over (None: the person asked for it by email).
    created_by_id: int | None = Field(default=None, foreign_key="users.id", ondelete="SET NULL")
    created_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False)
    )
    expires_at: datetime = Field(sa_column=Column(UTCDateTime, nullable=False))
    used_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime, nullable=True))


class ApiToken(SQLModel, table=True):
    """A personal access token for the JSON API; only its hash is stored."""

    __tablename__ = "api_tokens"

    id: int | None = Field(default=None, primary_key=True)
    token_hash: str = Field(max_length=64, unique=True, index=True)
    user_id: int = Field(foreign_key="users.id", index=True, ondelete="CASCADE")
    name: str = Field(default="", max_length=80)
    created_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False)
    )
    last_used_at: datetime | None = Field(
        default=None, sa_column=Column(UTCDateTime, nullable=True)
    )
    revoked_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime, nullable=True))


class AuditEntry(SQLModel, table=True):
    """Who did what to whom, for admin and moderator actions."""

    __tablename__ = "audit_entries"

    id: int | None = Field(default=None, primary_key=True)
    actor_id: int | None = Field(
        default=None, foreign_key="users.id", index=True, ondelete="SET NULL"
    )
    action: str = Field(max_length=64, index=True)
    target_type: str = Field(max_length=32)
    target_id: int | None = Field(default=None)
    space_id: int | None = Field(
        default=None, foreign_key="spaces.id", index=True, ondelete="SET NULL"
    )
    detail: str = Field(default="", max_length=1000)
    # Where the request came from (empty for jobs and the command line).
    address: str = Field(default="", max_length=64)
    created_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False, index=True)
    )


class PeopleImport(SQLModel, table=True):
    """A large CSV import (checked in full first) that runs in batches, so no transaction is
    long and the admin sees its progress; the browser (or, without JavaScript, the jobs runner)
    asks for the next batch until it is done."""

    __tablename__ = "people_imports"

    id: int | None = Field(default=None, primary_key=True)
    created_by_id: int | None = Field(
        default=None, foreign_key="users.id", index=True, ondelete="SET NULL"
    )
    text: str = Field(sa_column=Column(Text, nullable=False))
    total: int  # the new people to create (lines with an account already are not counted)
    done: int = Field(default=0)  # new people handled so far, in file order
    # Each created person's invitation token, sealed (app/people/sealing.py), as
    # [line, email, sealed token]; shown to the admin when the import has finished.
    invitations: list[list[Any]] = Field(
        default_factory=list, sa_column=Column(JSON, nullable=False)
    )
    # Lines the final checks refused while importing, as [line, email, message].
    failures: list[list[Any]] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    created_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False)
    )
    finished_at: datetime | None = Field(
        default=None, sa_column=Column(UTCDateTime, nullable=True, index=True)
    )
