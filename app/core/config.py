"""Settings from the environment (AGORA_* variables)."""

import ipaddress
import logging
from functools import lru_cache
from pathlib import Path
from typing import Literal
from urllib.parse import urlsplit

from pydantic import Field, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parent.parent.parent
logger = logging.getLogger(__name__)
DEFAULT_SECRET = "dev-insecure-secret-change-me"  # noqa: S105 - refused in production below


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="AGORA_", env_file=".env", extra="ignore")

    env: Literal["development", "production", "test"] = "development"
    database_url: str = f"sqlite:///{PROJECT_ROOT / 'var' / 'agora.db'}"
    secret_key: str = DEFAULT_SECRET
    seed_demo: bool = True
    site_name: str = "Agora"
    base_url: str = "http://127.0.0.1:8000"
    default_locale: Literal["de", "en"] = "en"
    default_timezone: str = "Europe/Berlin"
    session_days: int = 14
    # Sign-in throttling: failures counted in a sliding window, per account and per address.
    login_window_minutes: int = 15
    login_max_failures_per_account: int = 5
    login_max_failures_per_address: int = 30
    # Reverse proxies whose X-Forwarded-For / -Proto headers count ("10.0.0.5, 10.1.0.0/16").
    # Empty: nobody's; the address a request comes from is the client's. Trusting a header any
    # client can set would let anyone pick the address sign-in throttling counts them under.
    trusted_proxies: str = ""
    invitation_days: int = 7
    # Password resets by email: how long a link works, and how many may be asked for per
    # address (and per client address, with the sign-in failures) in the sign-in window.
    password_reset_minutes: int = Field(default=60, ge=5, le=24 * 60)
    password_reset_max_per_account: int = Field(default=3, ge=1)
    # Deprecated: the one limit is AGORA_UPLOAD_MAX_MB (files, profile pictures, header images
    # alike). When only this old name is set, it stands in for it (with a warning at start).
    picture_max_mb: int | None = Field(default=None, ge=1, le=2000)
    # Open flags from different people that hide a post or comment until a moderator reviews it.
    flag_auto_hide_threshold: int = Field(default=3, ge=1)
    # Periodic jobs (scheduled posts, ...): `agora serve` runs them unless run_jobs is false
    # (e.g. when a separate `agora worker` does); unset means on, except in the test suite.
    run_jobs: bool | None = None
    # How long a process may answer "who is signed in" from memory instead of the database
    # (app/core/signed_in_cache.py): at most a second, the bound for another process's sign-out or
    # deactivation to reach it. Unset: a second, except in the test suite, whose query budgets
    # count the sign-in query (its own tests turn it on).
    signed_in_cache_seconds: float | None = Field(default=None, ge=0, le=1)
    # How long a finished home, space or post page may be served again to the same session
    # (app/core/page_cache.py): at most a second, the bound for another process's change (a
    # post a moderator hid) to reach every process. 0 turns it off. Unset: a second, except in
    # the test suite, whose query budgets count every request's queries (its tests turn it on).
    page_cache_seconds: float | None = Field(default=None, ge=0, le=1)
    jobs_interval_seconds: float = Field(default=20.0, gt=0)
    # uvicorn's line per request. Behind a reverse proxy that logs every request already it
    # only repeats it, at 0.02-0.03 ms of the worker's CPU a request (README, issue 19).
    access_log: bool = True
    # For measuring what the search index costs a write (tests/bench/search_writes.py) only:
    # false leaves the index's rows alone on every change, so it goes stale until
    # `agora search reindex`. Erasing a person still removes them from it.
    search_indexing: bool = True
    # Threads per process that run request handlers and database work (unset: 2 on SQLite,
    # 8 on PostgreSQL). Python runs one of them at a time; extra threads only pay off while
    # others wait for a database server. SQLite works inside the process, so there they only
    # add switching: under 16 connections a stream page cost a third more CPU with 8 threads
    # than with 2, and half again as much with anyio's default of 40.
    request_threads: int | None = Field(default=None, ge=1, le=200)
    # The longest a statement waits for a lock (SQLite's busy timeout, PostgreSQL's
    # lock_timeout): past it the request answers 503 instead of hanging its thread.
    db_lock_timeout_seconds: float = Field(default=10.0, gt=0, le=600)
    # PostgreSQL ends a session that sits in an open transaction this long (a bug, never a
    # request: requests commit in the thread that did the work).
    db_idle_in_transaction_seconds: float = Field(default=60.0, gt=0)
    # Outgoing mail: smtp://user:password@host:port, smtps:// for implicit TLS, ?starttls=true
    # to upgrade a plain connection. Unset: nothing is queued or sent (the admin page says so).
    smtp_url: str = ""
    mail_from: str = "Agora <agora@localhost>"
    smtp_timeout_seconds: float = Field(default=10.0, gt=0, le=120)
    # Live protocol rooms look for other processes' updates this often, notice or not.
    protocol_poll_seconds: float = 1.0
    # Single sign-on with OpenID Connect (README: Single sign-on). Without an issuer, the
    # sign-in page offers passwords only.
    oidc_issuer: str = ""
    oidc_client_id: str = ""
    oidc_client_secret: str = ""
    oidc_name: str = "company account"
    oidc_scopes: str = "openid email profile"
    # The claim that lists a person's groups (often "groups"); empty: groups are not read.
    oidc_groups_claim: str = ""
    # Members of any of these provider groups are Agora admins, others are not (comma-separated;
    # empty: the provider decides nothing about admins).
    oidc_admin_groups: str = ""
    # Provider groups whose members belong to a space: "sales-dach=sales-dach, eng=engineering"
    # (group=space slug, comma-separated). Applied at every sign-in: joining the group adds the
    # membership, leaving it removes the memberships the group made (never ones made in Agora).
    oidc_space_groups: str = ""
    # How often a signed-in SSO person is checked with the provider (refresh token): a person
    # the provider disabled loses their sessions and API tokens within this time.
    oidc_recheck_minutes: int = Field(default=15, ge=1)
    # The password form on the sign-in page; an SSO-only company turns it off.
    password_login: bool = True
    # Where uploaded files live: file:///folder (default var/uploads) or s3://bucket/prefix
    # with the S3 endpoint and keys below (AWS S3, MinIO, Ceph, SeaweedFS: app/uploads/storage.py).
    storage_url: str = (PROJECT_ROOT / "var" / "uploads").as_uri()
    s3_endpoint: str = ""
    s3_access_key: str = ""
    s3_secret_key: str = ""
    s3_region: str = "us-east-1"
    # The largest file one upload may carry: attachments, profile pictures and header images.
    upload_max_mb: int = Field(default=20, ge=1, le=2000)
    # Who sends a file's bytes once the app has checked access: the app itself ("off"), or the
    # web server in front of it, told by X-Accel-Redirect ("nginx", to the internal location
    # `upload_accel_prefix` mapped onto the storage folder) or X-Sendfile ("apache",
    # mod_xsendfile, with the file's path). Only for file:// storage; S3 files are always
    # streamed by the app.
    upload_accel: Literal["off", "nginx", "apache"] = "off"
    upload_accel_prefix: str = "/_agora_uploads/"

    @field_validator("trusted_proxies")
    @classmethod
    def _only_addresses_and_networks(cls, value: str) -> str:
        for entry in _entries(value):
            try:
                ipaddress.ip_network(entry)  # strict, as uvicorn reads it
            except ValueError:
                raise ValueError(
                    f"AGORA_TRUSTED_PROXIES: {entry!r} is not an IP address or network"
                ) from None
        return value

    @field_validator("oidc_space_groups")
    @classmethod
    def _group_equals_slug(cls, value: str) -> str:
        for entry in _entries(value):
            group, _, slug = entry.partition("=")
            if not group.strip() or not slug.strip():
                raise ValueError(f"AGORA_OIDC_SPACE_GROUPS: {entry!r} is not group=space-slug")
        return value

    @field_validator("storage_url")
    @classmethod
    def _file_or_s3(cls, value: str) -> str:
        url = urlsplit(value)
        if url.scheme == "file" and url.path:
            return value
        if url.scheme == "s3" and url.hostname:
            return value
        raise ValueError(f"AGORA_STORAGE_URL: {value!r} is neither file:///folder nor s3://bucket")

    @field_validator("oidc_issuer")
    @classmethod
    def _issuer_without_trailing_slash(cls, value: str) -> str:
        return value.strip().rstrip("/")

    @model_validator(mode="after")
    def _refuse_unsafe_issuer(self) -> "Settings":
        if not self.oidc_issuer:
            return self
        if not (self.oidc_client_id and self.oidc_client_secret):
            raise ValueError(
                "AGORA_OIDC_ISSUER needs AGORA_OIDC_CLIENT_ID and AGORA_OIDC_CLIENT_SECRET"
            )
        url = urlsplit(self.oidc_issuer)
        if url.scheme == "https" and url.hostname:
            return self
        # Plain http only reaches a provider on this machine: tests and local trials.
        if url.scheme == "http" and self.env != "production" and _is_loopback(url.hostname):
            return self
        raise ValueError(
            "AGORA_OIDC_ISSUER must be an https:// address "
            "(http:// only for a provider on this machine, outside production)"
        )

    @field_validator("upload_accel_prefix")
    @classmethod
    def _internal_location(cls, value: str) -> str:
        if not value.startswith("/") or not value.endswith("/") or ".." in value:
            raise ValueError("AGORA_UPLOAD_ACCEL_PREFIX is a path that starts and ends with /")
        return value

    @model_validator(mode="after")
    def _picture_limit_is_the_upload_limit(self) -> "Settings":
        if self.picture_max_mb is not None and "upload_max_mb" not in self.model_fields_set:
            logger.warning(
                "AGORA_PICTURE_MAX_MB is deprecated; set AGORA_UPLOAD_MAX_MB (now %s MB)",
                self.picture_max_mb,
            )
            self.upload_max_mb = self.picture_max_mb
        return self

    @model_validator(mode="after")
    def _refuse_unsafe_production(self) -> "Settings":
        if self.env == "production" and (
            not self.secret_key or self.secret_key == DEFAULT_SECRET or len(self.secret_key) < 32
        ):
            raise ValueError(
                "AGORA_SECRET_KEY must be set to a random value of at least 32 characters "
                "when AGORA_ENV=production"
            )
        return self

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    @property
    def mail_enabled(self) -> bool:
        return bool(self.smtp_url)

    @property
    def handler_threads(self) -> int:
        return self.request_threads or (2 if self.is_sqlite else 8)

    @property
    def jobs_enabled(self) -> bool:
        return self.run_jobs if self.run_jobs is not None else self.env != "test"

    @property
    def signed_in_cache_age(self) -> float:
        if self.signed_in_cache_seconds is not None:
            return self.signed_in_cache_seconds
        return 0.0 if self.env == "test" else 1.0

    @property
    def page_cache_age(self) -> float:
        if self.page_cache_seconds is not None:
            return self.page_cache_seconds
        return 0.0 if self.env == "test" else 1.0

    @property
    def trusted_proxy_list(self) -> list[str]:
        return _entries(self.trusted_proxies)

    @property
    def oidc_enabled(self) -> bool:
        return bool(self.oidc_issuer)

    @property
    def oidc_space_group_map(self) -> dict[str, str]:
        pairs = (entry.split("=", 1) for entry in _entries(self.oidc_space_groups))
        return {group.strip(): slug.strip() for group, slug in pairs}

    @property
    def oidc_admin_group_list(self) -> list[str]:
        return _entries(self.oidc_admin_groups)

    @property
    def secure_cookies(self) -> bool:
        return self.env == "production" or self.base_url.startswith("https://")


def _is_loopback(host: str | None) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host or "").is_loopback
    except ValueError:
        return False


def _entries(value: str) -> list[str]:
    return [entry.strip() for entry in value.split(",") if entry.strip()]


@lru_cache
def get_settings() -> Settings:
    return Settings()
