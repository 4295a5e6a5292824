"""Accounts: creation, sign-in with throttling, invitations, profiles, tokens, deactivation."""

import re
from datetime import timedelta
from zoneinfo import available_timezones

from sqlalchemy import delete, func, update
from sqlmodel import Session, col, select

from app.core.client_address import client_address
from app.core.config import get_settings
from app.core.db import utcnow
from app.core.domain_events import PersonInvited, PersonSaved, publish
from app.core.errors import Invalid, NotFound, TooManyRequests
from app.core.security import (
    TOKEN_PREFIX,
    hash_password,
    hash_token,
    needs_rehash,
    new_token,
    verify_password,
)
from app.core.text import check_characters, clean_text, text_problem, without_forbidden
from app.people.models import (
    ApiToken,
    AuditEntry,
    AuthSession,
    Invitation,
    LoginAttempt,
    PasswordReset,
    SiteRole,
    User,
)
from app.spaces.access import note_access_change
from app.spaces.newcomers import welcome_newcomer

EMAIL_RE = re.compile(r"^[^@\s]{1,64}@[^@\s]{1,189}\.[^@\s]{2,63}$")
MIN_PASSWORD = 10
LOCALES = ("de", "en")
THEMES = ("system", "light", "dark")


def normalise_email(email: str) -> str:
    email = check_characters(email, field="email").strip().lower()
    if not EMAIL_RE.match(email):
        raise Invalid("Enter a valid email address", field="email")
    return email


def check_password_strength(password: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise Invalid("Use at least %(min)s characters", field="password", min=MIN_PASSWORD)
    if len(password) > 1000:
        raise Invalid("That password is too long", field="password")


_clean_text = clean_text


def _free_handle(session: Session, email: str) -> str:
    base = re.sub(r"[^a-z0-9._-]", "", email.split("@")[0].lower())[:30] or "user"
    base = base.strip("._-") or "user"
    taken = set(session.exec(select(User.handle).where(col(User.handle).startswith(base))).all())
    if base not in taken:
        return base
    n = 2
    while f"{base}{n}" in taken:
        n += 1
    return f"{base}{n}"


def create_user(
    session: Session,
    *,
    email: str,
    display_name: str,
    password: str | None = None,
    admin: bool = False,
    title: str = "",
    department: str = "",
    locale: str | None = None,
) -> User:
    """Create an account; without a password it can only be entered through an invitation."""
    email = normalise_email(email)
    display_name = _clean_text(display_name, field="display_name", max_length=80, required=True)
    if session.exec(select(User.id).where(User.email == email)).first() is not None:
        raise Invalid("Someone with this email address already has an account", field="email")
    if password is not None:
        check_password_strength(password)
    settings = get_settings()
    user = User(
        email=email,
        handle=_free_handle(session, email),
        display_name=display_name,
        title=_clean_text(title, field="title", max_length=120),
        department=_clean_text(department, field="department", max_length=120),
        password_hash=hash_password(password) if password else None,
        site_role=SiteRole.admin if admin else SiteRole.member,
        locale=locale if locale in LOCALES else settings.default_locale,
        time_zone=settings.default_timezone,
    )
    session.add(user)
    session.flush()
    publish(session, PersonSaved(user=user))
    return user


def _recent_failures(session: Session, *, email: str, address: str) -> tuple[int, int]:
    since = utcnow() - timedelta(minutes=get_settings().login_window_minutes)
    by_email = session.exec(
        select(func.count()).where(LoginAttempt.email == email, LoginAttempt.attempted_at > since)
    ).one()
    by_address = session.exec(
        select(func.count()).where(
            LoginAttempt.address == address, LoginAttempt.attempted_at > since
        )
    ).one()
    return by_email, by_address


def authenticate(session: Session, *, email: str, password: str, address: str) -> User | None:
    """Check a sign-in; count failures per account and per address and refuse when over limit."""
    settings = get_settings()
    # Forbidden characters cannot be in any account's address, so they cannot match either.
    email = without_forbidden(email).strip().lower()[:254]
    by_email, by_address = _recent_failures(session, email=email, address=address)
    if (
        by_email >= settings.login_max_failures_per_account
        or by_address >= settings.login_max_failures_per_address
    ):
        raise TooManyRequests("Too many failed sign-ins. Please wait a few minutes and try again.")
    user = session.exec(select(User).where(User.email == email)).first()
    ok = verify_password(user.password_hash if user else None, password)
    if not ok or user is None or not user.is_active:
        session.add(LoginAttempt(email=email, address=address[:64]))
        session.flush()
        return None
    # Hashed before the first write: on SQLite that write takes the database's one write lock.
    stored = user.password_hash or ""
    upgraded = hash_password(password) if needs_rehash(stored) else None
    session.exec(delete(LoginAttempt).where(col(LoginAttempt.email) == email))
    if upgraded is not None:
        user.password_hash = upgraded
    return user


def invite_user(
    session: Session, *, email: str, display_name: str, invited_by: User
) -> tuple[User, str]:
    """Create the account and a one-time link; returns the person and the raw link token."""
    user = create_user(session, email=email, display_name=display_name)
    token = create_invitation(session, user=user, invited_by=invited_by)
    publish(session, PersonInvited(person=user, invited_by=invited_by, token=token))
    return user, token


def create_invitation(session: Session, *, user: User, invited_by: User | None) -> str:
    """A one-time link for the person to set their password; returns its raw token.

    ``invited_by`` None: an import from the command line."""
    token = new_token()
    session.add(
        Invitation(
            token_hash=hash_token(token),
            user_id=user.id,  # type: ignore[arg-type]
            invited_by_id=invited_by.id if invited_by else None,
            expires_at=utcnow() + timedelta(days=get_settings().invitation_days),
        )
    )
    record_audit(
        session, actor=invited_by, action="user.invite", target_type="user", target_id=user.id
    )
    session.flush()
    return token


def invitation_for(session: Session, token: str) -> tuple[Invitation, User]:
    row = session.exec(
        select(Invitation, User)
        .join(User, User.id == Invitation.user_id)  # type: ignore[arg-type]
        .where(Invitation.token_hash == hash_token(token))
    ).first()
    if (
        row is None
        or row[0].used_at is not None
        or row[0].expires_at < utcnow()
        or not row[1].is_active
    ):
        raise NotFound("This invitation link is not valid any more. Ask for a new one.")
    return row[0], row[1]


def accept_invitation(session: Session, *, token: str, password: str) -> User:
    """Set the invited person's password; they join the spaces everyone joins now (not when
    invited: until they accept, they would only be a name in member counts)."""
    invitation, user = invitation_for(session, token)
    check_password_strength(password)
    user.password_hash = hash_password(password)
    invitation.used_at = utcnow()
    session.add_all([user, invitation])
    welcome_newcomer(session, user=user)
    return user


def update_profile(
    session: Session,
    *,
    user: User,
    display_name: str,
    title: str,
    department: str,
    locale: str,
    time_zone: str,
    theme: str | None = None,
) -> User:
    """Save the person's own profile and preferences (theme None: keep the current one)."""
    display_name = _clean_text(display_name, field="display_name", max_length=80, required=True)
    title = _clean_text(title, field="title", max_length=120)
    department = _clean_text(department, field="department", max_length=120)
    if locale not in LOCALES:
        raise Invalid("Choose German or English", field="locale")
    if time_zone not in available_timezones():
        raise Invalid("Unknown time zone", field="time_zone")
    if theme is not None and theme not in THEMES:
        raise Invalid("Choose light, dark or the device's setting", field="theme")
    user.display_name, user.title, user.department = display_name, title, department
    user.locale, user.time_zone = locale, time_zone
    user.theme = theme if theme is not None else user.theme
    session.add(user)
    session.flush()
    publish(session, PersonSaved(user=user))
    return user


def change_password(
    session: Session, *, user: User, current: str, new: str, revoke_tokens: bool = False
) -> int:
    """Set a new password and end every sign-in session of the person (the caller starts a
    fresh one for the browser that asked); with revoke_tokens, also their API tokens.

    Whoever may know the old password, or holds a session cookie taken with it, is out.
    Returns how many tokens were revoked."""
    if not verify_password(user.password_hash, current):
        raise Invalid("Your current password is not right", field="current_password")
    check_password_strength(new)
    user.password_hash = hash_password(new)
    session.add(user)
    session.exec(delete(AuthSession).where(col(AuthSession.user_id) == user.id))
    forget_open_resets(session, user_id=user.id)  # type: ignore[arg-type]
    revoked = revoke_api_tokens(session, user=user) if revoke_tokens else 0
    session.flush()
    return revoked


def forget_open_resets(session: Session, *, user_id: int) -> None:
    """Spend every open password reset link of the person (their password just changed)."""
    session.exec(
        update(PasswordReset)
        .where(col(PasswordReset.user_id) == user_id, col(PasswordReset.used_at).is_(None))
        .values(used_at=utcnow())
    )


def live_api_token_count(session: Session, *, user: User) -> int:
    """How many of the person's API tokens still work."""
    return session.exec(
        select(func.count()).where(
            ApiToken.user_id == user.id,
            ApiToken.revoked_at == None,  # noqa: E711
        )
    ).one()


def revoke_api_tokens(session: Session, *, user: User) -> int:
    """Stop every live API token of the person; returns how many."""
    tokens = session.exec(
        select(ApiToken).where(ApiToken.user_id == user.id, ApiToken.revoked_at == None)  # noqa: E711
    ).all()
    now = utcnow()
    for token in tokens:
        token.revoked_at = now
        session.add(token)
    return len(tokens)


def set_active(session: Session, *, user: User, active: bool, actor: User) -> None:
    """Deactivating ends every session and token at once; the person's content stays."""
    if user.id == actor.id and not active:
        raise Invalid("You cannot deactivate your own account")
    user.is_active = active
    session.add(user)
    if not active:
        session.exec(delete(AuthSession).where(col(AuthSession.user_id) == user.id))
        revoke_api_tokens(session, user=user)
        note_access_change(session)  # open connections (live protocols) close at once
    record_audit(
        session,
        actor=actor,
        action="user.activate" if active else "user.deactivate",
        target_type="user",
        target_id=user.id,
    )
    session.flush()
    publish(session, PersonSaved(user=user))


def create_api_token(session: Session, *, user: User, name: str = "") -> str:
    """Create a personal access token and return it; only its hash is kept."""
    token = new_token(TOKEN_PREFIX)
    session.add(
        ApiToken(
            token_hash=hash_token(token),
            user_id=user.id,  # type: ignore[arg-type]
            name=_clean_text(name, field="name", max_length=80),
        )
    )
    session.flush()
    return token


def user_by_handle(session: Session, handle: str) -> User:
    """The person an @handle names (a mention's link); 404 for no one. A handle never holds a
    control character, so one in the address names no one (and never reaches PostgreSQL)."""
    if text_problem(handle):
        raise NotFound("Person not found")
    user = session.exec(select(User).where(User.handle == handle.strip().lower())).first()
    if user is None:
        raise NotFound("Person not found")
    return user


def user_by_email(session: Session, email: str) -> User:
    user = session.exec(
        select(User).where(User.email == without_forbidden(email).strip().lower())
    ).first()
    if user is None:
        raise NotFound("No one with that email address")
    return user


def active_user(session: Session, user_id: int) -> User:
    user = session.get(User, user_id)
    if user is None:
        raise NotFound("Person not found")
    return user


def record_audit(
    session: Session,
    *,
    actor: User | None,
    action: str,
    target_type: str,
    target_id: int | None,
    space_id: int | None = None,
    detail: str = "",
) -> None:
    session.add(
        AuditEntry(
            actor_id=actor.id if actor else None,
            action=action,
            target_type=target_type,
            target_id=target_id,
            space_id=space_id,
            detail=detail[:1000],
            address=client_address(),
        )
    )
