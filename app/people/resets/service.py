"""Password resets: a one-time, expiring link, mailed on request or made by an admin.

Asking never tells whether an address has an account (the same answer either way), and is
throttled with the sign-in failures (per address asked for, and per client address). The link's
secret is random; only its keyed hash is stored, so neither a copy of the database nor a guess
gives a working link. Accounts without a password (single sign-on, or an invitation not yet
accepted) get no reset: they have nothing to reset.
"""

import hashlib
import hmac
from datetime import timedelta

from sqlalchemy import delete, func, update
from sqlmodel import Session, col, select

from app.core.config import get_settings
from app.core.db import utcnow
from app.core.domain_events import PasswordResetRequested, publish
from app.core.errors import Invalid, NotFound, TooManyRequests
from app.core.security import hash_password, new_token
from app.core.text import without_forbidden
from app.people.models import AuthSession, LoginAttempt, PasswordReset, User
from app.people.service import check_password_strength, forget_open_resets, record_audit

# Reset requests are counted in the sign-in failures' table under this prefix: per client address
# they share the sign-in limit (one budget for guessing), per account they have their own.
ATTEMPT_PREFIX = "reset:"
NOT_VALID = "This reset link is not valid any more. Ask for a new one."


def _token_hash(token: str) -> str:
    key = ("password-reset:" + get_settings().secret_key).encode()
    return hmac.new(key, token.encode(), hashlib.sha256).hexdigest()


def can_reset(user: User) -> bool:
    """Only an active account that signs in with a password has one to reset."""
    return user.is_active and user.password_hash is not None and get_settings().password_login


def _throttle(session: Session, *, email: str, address: str) -> None:
    settings = get_settings()
    since = utcnow() - timedelta(minutes=settings.login_window_minutes)
    recent = func.count().filter(col(LoginAttempt.email) == ATTEMPT_PREFIX + email)
    by_email, by_address = session.exec(
        select(recent, func.count()).where(
            col(LoginAttempt.attempted_at) > since,
            (col(LoginAttempt.email) == ATTEMPT_PREFIX + email)
            | (col(LoginAttempt.address) == address),
        )
    ).one()
    if (
        by_email >= settings.password_reset_max_per_account
        or by_address >= settings.login_max_failures_per_address
    ):
        raise TooManyRequests("Too many requests. Please wait a few minutes and try again.")
    session.add(LoginAttempt(email=(ATTEMPT_PREFIX + email)[:254], address=address[:64]))
    session.flush()


def create_reset(session: Session, *, user: User, created_by: User | None = None) -> str:
    """A new one-time link for the person; returns its raw token (never stored)."""
    if not can_reset(user):
        raise Invalid("This account signs in without a password: there is nothing to reset.")
    token = new_token()
    session.add(
        PasswordReset(
            token_hash=_token_hash(token),
            user_id=user.id,  # type: ignore[arg-type]
            created_by_id=created_by.id if created_by else None,
            expires_at=utcnow() + timedelta(minutes=get_settings().password_reset_minutes),
        )
    )
    action = "user.password_reset_link" if created_by else "user.password_reset_request"
    record_audit(session, actor=created_by, action=action, target_type="user", target_id=user.id)
    session.flush()
    return token


def request_reset(session: Session, *, email: str, address: str) -> None:
    """Mail a reset link if the address belongs to an account that has a password; otherwise do
    nothing. Either way the caller answers the same (no one learns who has an account)."""
    email = without_forbidden(email).strip().lower()[:254]
    _throttle(session, email=email, address=address)
    user = session.exec(select(User).where(col(User.email) == email)).first()
    if user is None or not can_reset(user) or not get_settings().mail_enabled:
        return
    token = create_reset(session, user=user)
    minutes = get_settings().password_reset_minutes
    publish(session, PasswordResetRequested(person=user, token=token, minutes=minutes))


def reset_for(session: Session, token: str) -> tuple[PasswordReset, User]:
    """The open reset a link names; 404 when it is unknown, used, expired or its account can no
    longer have one."""
    row = session.exec(
        select(PasswordReset, User)
        .join(User, col(User.id) == PasswordReset.user_id)
        .where(col(PasswordReset.token_hash) == _token_hash(token[:200]))
    ).first()
    if row is None or row[0].used_at is not None or row[0].expires_at < utcnow():
        raise NotFound(NOT_VALID)
    if not can_reset(row[1]):
        raise NotFound(NOT_VALID)
    return row[0], row[1]


def complete_reset(session: Session, *, token: str, password: str) -> User:
    """Set the new password, spend the link (and every other open one of the person), end every
    session of the person (the caller signs this browser in) and clear their sign-in failures."""
    reset, user = reset_for(session, token)
    check_password_strength(password)
    now = utcnow()
    # Spending the link is a conditional write: of two requests with the same link, one wins.
    spent = session.exec(
        update(PasswordReset)
        .where(col(PasswordReset.id) == reset.id, col(PasswordReset.used_at).is_(None))
        .values(used_at=now)
    )
    if spent.rowcount != 1:
        raise NotFound(NOT_VALID)
    forget_open_resets(session, user_id=user.id)  # type: ignore[arg-type]
    user.password_hash = hash_password(password)
    session.add(user)
    session.exec(delete(AuthSession).where(col(AuthSession.user_id) == user.id))
    session.exec(delete(LoginAttempt).where(col(LoginAttempt.email) == user.email))
    record_audit(
        session, actor=user, action="user.password_reset", target_type="user", target_id=user.id
    )
    session.flush()
    return user
