"""Passwords, tokens, sign-in sessions, CSRF and the current-user dependencies."""

import hashlib
import hmac
import secrets
import threading
import time
from datetime import datetime, timedelta
from functools import lru_cache
from typing import Annotated, NamedTuple

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from fastapi import Depends, Request
from sqlalchemy import update
from sqlmodel import Session, col, select
from starlette.concurrency import run_in_threadpool

from app.core import signed_in_cache
from app.core.config import get_settings
from app.core.db import get_engine, get_session, read_without_transaction, utcnow
from app.core.errors import Forbidden, LoginRequired
from app.core.i18n import set_locale
from app.people.models import ApiToken, AuthSession, User

SESSION_COOKIE = "agora_session"
CSRF_COOKIE = "agora_csrf"
CSRF_HEADER = "x-csrf-token"
CSRF_FIELD = "csrf_token"
TOKEN_PREFIX = "agora_"  # noqa: S105 - a public prefix, not a secret


# How many passwords one process hashes at once. Each hash holds its memory cost for as long
# as it runs, and it is pure CPU: more at once would not finish sooner on a machine of a few
# cores, only hold more memory (a burst of sign-ins at 64 MiB each took a worker far past
# 200 MB). Others wait their turn, a few tens of milliseconds each.
HASHING_AT_ONCE = 2
_hashing = threading.BoundedSemaphore(HASHING_AT_ONCE)


@lru_cache
def _hasher() -> PasswordHasher:
    # The test suite hashes thousands of passwords: cheap parameters there. Everywhere else
    # argon2id with 19 MiB, two passes, one lane: OWASP's recommended configuration, about
    # 30 ms. The library's default (64 MiB, three passes, four lanes) cost 120 ms and four
    # threads per sign-in, and its 64 MiB was a third of a worker's memory.
    if get_settings().env == "test":
        return PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    return PasswordHasher(time_cost=2, memory_cost=19 * 1024, parallelism=1)


@lru_cache
def _dummy_hash() -> str:
    # Verifying against a throw-away hash keeps sign-in timing the same for unknown accounts.
    return hash_password(secrets.token_hex(16))


def hash_password(password: str) -> str:
    with _hashing:
        return _hasher().hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    stored = password_hash or _dummy_hash()  # before taking a turn: making it takes one
    try:
        with _hashing:
            matches = _hasher().verify(stored, password)
    except (VerificationError, InvalidHashError):
        return False
    return matches and password_hash is not None


def needs_rehash(password_hash: str) -> bool:
    """Whether a stored hash was made with other parameters than today's (it still verifies:
    its parameters are written in it); hashed again at the next sign-in."""
    try:
        return _hasher().check_needs_rehash(password_hash)
    except InvalidHashError:
        return False


def new_token(prefix: str = "") -> str:
    return prefix + secrets.token_urlsafe(32)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def start_session(
    session: Session,
    *,
    user: User,
    oidc_sid: str | None = None,
    oidc_id_token: str | None = None,
) -> str:
    """Create a fresh sign-in session (a new token on every sign-in) and return the cookie value.

    ``oidc_sid``: the provider's session, whose back-channel logout ends this one too;
    ``oidc_id_token``: the sealed ID token, the hint for signing out at the provider."""
    token = new_token()
    days = get_settings().session_days
    session.add(
        AuthSession(
            token_hash=hash_token(token),
            user_id=user.id,  # type: ignore[arg-type]
            expires_at=utcnow() + timedelta(days=days),
            oidc_sid=oidc_sid[:255] if oidc_sid else None,
            oidc_id_token=oidc_id_token,
        )
    )
    # An UPDATE, not session.add(user): the caller's User may belong to another session.
    session.execute(update(User).where(col(User.id) == user.id).values(last_sign_in_at=utcnow()))
    session.flush()
    return token


def end_session(session: Session, *, token: str | None) -> str | None:
    """End this browser's session; returns its sealed ID token when it came from single
    sign-on (to sign out at the provider too)."""
    if not token:
        return None
    found = session.exec(select(AuthSession).where(AuthSession.token_hash == hash_token(token)))
    id_token = None
    for row in found:
        id_token = row.oidc_id_token
        session.delete(row)
    session.flush()
    return id_token


def _session_owner(session: Session, token: str) -> tuple[User, datetime] | None:
    row = session.exec(
        select(User, col(AuthSession.expires_at))
        .join(AuthSession, AuthSession.user_id == User.id)  # type: ignore[arg-type]
        .where(
            AuthSession.token_hash == hash_token(token),
            AuthSession.expires_at > utcnow(),
            User.is_active == True,  # noqa: E712
        )
    ).first()
    return (row[0], row[1]) if row is not None else None


def user_for_session_token(session: Session, token: str | None) -> User | None:
    if not token:
        return None
    found = _session_owner(session, token)
    return found[0] if found else None


class ApiCaller(NamedTuple):
    """The person behind a live API token, and what recording the token's use needs to know."""

    user: User
    token_id: int
    last_used_at: datetime | None


def api_caller(session: Session, token: str) -> ApiCaller | None:
    """One query: the token's person (if active and the token not revoked) and its use so far."""
    row = session.exec(
        select(User, col(ApiToken.id), col(ApiToken.last_used_at))
        .join(ApiToken, ApiToken.user_id == User.id)  # type: ignore[arg-type]
        .where(
            ApiToken.token_hash == hash_token(token),
            ApiToken.revoked_at == None,  # noqa: E711
            User.is_active == True,  # noqa: E712
        )
    ).first()
    if row is None:
        return None
    user, token_id, last_used_at = row
    return ApiCaller(user=user, token_id=token_id, last_used_at=last_used_at)  # type: ignore[arg-type]


def user_for_api_token(session: Session, token: str) -> User | None:
    caller = api_caller(session, token)
    return caller.user if caller else None


def csrf_token(request: Request) -> str:
    token: str = request.scope.get("state", {}).get("csrf_token", "")
    return token


def csrf_matches(request: Request, submitted: str | None) -> bool:
    expected = csrf_token(request)
    return bool(expected and submitted and hmac.compare_digest(expected, submitted))


# The handler's TransactionalRoute commits in the handler's own thread slot (app.core.transactions),
# so a client that follows a redirect at once sees what it just wrote, and a failed commit is an
# error, not a lie. "function" scope closes the session before the response leaves.
SessionDep = Annotated[Session, Depends(get_session, scope="function")]


def hand_back(session: Session, user: User | None) -> User | None:
    """The signed-in person detached but loaded, and the database connection back in the pool.

    The request next waits for a free thread to run its handler. Had it kept the connection
    while waiting, every thread could end up waiting for a connection that only a waiting
    request could return. (Detached, the person still shows on error pages rendered after a
    rollback.)"""
    if user is not None:
        session.expunge(user)
    session.close()
    return user


def _signed_in(session: Session, token: str) -> User | None:
    """The session's person from the database (remembered for the next requests), handed back."""
    since = time.monotonic()
    read_without_transaction(session)
    found = _session_owner(session, token)
    if found is not None and get_settings().signed_in_cache_age > 0:
        signed_in_cache.remember(hash_token(token), found[1], found[0], since=since)
    return hand_back(session, found[0] if found else None)


async def optional_user(request: Request, session: SessionDep) -> User | None:
    # Async on purpose: the language chosen here must reach the (threaded) route and its
    # templates, and context variables only flow downwards from the request's own task.
    state = request.scope.setdefault("state", {})
    if "user" in state:
        cached: User | None = state["user"]
        return cached
    token = request.cookies.get(SESSION_COOKIE)
    user = None
    if token:
        signed_in_cache.watch(get_engine())
        # Remembered: no query and no trip to a worker thread (app.core.signed_in_cache says why
        # that is safe).
        max_age = get_settings().signed_in_cache_age
        user = signed_in_cache.lookup(hash_token(token), utcnow(), max_age=max_age)
        if user is None:
            user = await run_in_threadpool(_signed_in, session, token)
    if user is not None:
        set_locale(user.locale)
    state["user"] = user
    return user


# Async, like every dependency that does no blocking work: FastAPI runs a sync one in a worker
# thread, a trip that cost the cheapest page a tenth of its time (issue 19).
async def current_user(user: Annotated[User | None, Depends(optional_user)]) -> User:
    if user is None:
        raise LoginRequired
    return user


async def admin_user(user: Annotated[User, Depends(current_user)]) -> User:
    if not user.is_admin:
        raise Forbidden("Only administrators may do that")
    return user


async def csrf_protect(request: Request) -> None:
    """Every state-changing browser request carries the CSRF token (form field or htmx header)."""
    if request.method in ("GET", "HEAD", "OPTIONS"):
        return
    submitted = request.headers.get(CSRF_HEADER)
    if submitted is None:
        content_type = request.headers.get("content-type", "")
        if content_type.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
            form = await request.form()
            value = form.get(CSRF_FIELD)
            submitted = value if isinstance(value, str) else None
    if not csrf_matches(request, submitted):
        raise Forbidden("The form has expired. Please reload the page and try again.")


OptionalUser = Annotated[User | None, Depends(optional_user)]
CurrentUser = Annotated[User, Depends(current_user)]
AdminUser = Annotated[User, Depends(admin_user)]
