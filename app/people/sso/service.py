"""Single sign-on: start and finish a sign-in at the OpenID provider, create or link the account,
map provider groups to admins, and end sessions the provider ends (back-channel logout and the
periodic recheck with the refresh token)."""

import logging
import secrets
from dataclasses import dataclass
from datetime import timedelta
from typing import Any
from urllib.parse import urlencode
from zoneinfo import available_timezones

from sqlalchemy import delete
from sqlmodel import Session, col, select

from app.core.config import get_settings
from app.core.db import utcnow
from app.core.errors import DomainError
from app.core.i18n import N_
from app.core.security import hash_token
from app.core.text import without_forbidden
from app.people import oidc
from app.people.admin.service import change_admin_role
from app.people.models import AuthSession, User
from app.people.sealing import seal, unseal
from app.people.service import (
    EMAIL_RE,
    create_user,
    record_audit,
    revoke_api_tokens,
)
from app.people.sso.models import OidcFlow, OidcLink
from app.spaces.access import note_access_change
from app.spaces.newcomers import welcome_newcomer
from app.spaces.provider_groups import sync_provider_groups

log = logging.getLogger("agora.sso")
FLOW_MINUTES = 15
RECHECK_BATCH = 50


class SignInRefused(DomainError):
    """A single sign-on the provider's answer does not allow. ``reason`` goes to the audit log;
    the person reads the message."""

    status_code = 400

    def __init__(self, reason: str, message: str, *, detail: str = "", status: int = 400) -> None:
        super().__init__(message)
        self.reason = reason
        self.detail = detail
        self.status_code = status


TRY_AGAIN = N_("The sign-in could not be completed. Please start again from the sign-in page.")


def _refused(reason: str, detail: str = "") -> SignInRefused:
    return SignInRefused(reason, TRY_AGAIN, detail=detail)


@dataclass(frozen=True)
class SignIn:
    user: User
    provider_session: str | None
    next_path: str
    id_token: str | None = None  # sealed


def start_sign_in(session: Session, *, redirect_uri: str, next_path: str) -> tuple[str, str]:
    """Remember a new flow and return the provider's sign-in address and the flow's state (which
    the browser keeps in a cookie, so only the browser that started can finish)."""
    state, nonce, verifier = (secrets.token_urlsafe(32) for _ in range(3))
    # The provider first (it may be asked for its configuration), the short write last.
    url = oidc.authorization_url(
        redirect_uri=redirect_uri, state=state, nonce=nonce, code_verifier=verifier
    )
    session.exec(
        delete(OidcFlow).where(
            col(OidcFlow.created_at) < utcnow() - timedelta(minutes=FLOW_MINUTES)
        )
    )
    session.add(
        OidcFlow(
            state_hash=hash_token(state),
            nonce=nonce,
            code_verifier=verifier,
            next_path=next_path[:500],
        )
    )
    session.flush()
    return url, state


@dataclass(frozen=True)
class Flow:
    """A flow taken from the database (used up): what checking the provider's answer needs."""

    nonce: str
    code_verifier: str
    next_path: str


def take_flow(session: Session, *, state: str, browser_state: str | None) -> Flow:
    """Use up the flow the callback's state names; refused when there is none (a replay), or
    it is old, or another browser started it. The caller commits before asking the provider."""
    if not state:
        raise _refused("no_flow")
    flow = session.exec(select(OidcFlow).where(OidcFlow.state_hash == hash_token(state))).first()
    if flow is None:
        raise _refused("unknown_state")  # never started, or already used: a replay
    session.delete(flow)
    session.flush()
    if browser_state != state:
        raise _refused("state_not_this_browser")
    if flow.created_at < utcnow() - timedelta(minutes=FLOW_MINUTES):
        raise _refused("flow_expired")
    return Flow(nonce=flow.nonce, code_verifier=flow.code_verifier, next_path=flow.next_path)


@dataclass(frozen=True)
class ProviderAnswer:
    """The checked claims (ID token, then userinfo for what it left out) and the tokens."""

    claims: dict[str, Any]
    refresh_token: str | None
    next_path: str
    id_token: str | None = None


def provider_answer(
    flow: Flow, *, redirect_uri: str, code: str, error: str = "", issuer: str = ""
) -> ProviderAnswer:
    """Trade the code for tokens and check them. Talks to the provider only: no database, so
    no transaction waits on the provider."""
    if error:
        raise _refused("provider_refused", error[:200])
    if issuer and issuer != get_settings().oidc_issuer:
        # RFC 9207: the answer comes from another provider than the one we sent the browser to.
        raise _refused("wrong_issuer", issuer[:200])
    if not code:
        raise _refused("no_code")
    try:
        token = oidc.exchange_code(
            redirect_uri=redirect_uri, code=code, code_verifier=flow.code_verifier
        )
        claims = oidc.verify_id_token(str(token["id_token"]), nonce=flow.nonce)
        released = oidc.userinfo(str(token.get("access_token") or ""))
    except oidc.ProviderError as exc:
        raise _refused(exc.reason, exc.detail) from None
    if released and released.get("sub") != claims["sub"]:
        raise _refused("userinfo_subject_mismatch")
    # The ID token is the signed statement; userinfo only adds what the token left out.
    return ProviderAnswer(
        claims={**released, **claims},
        refresh_token=str(token["refresh_token"]) if token.get("refresh_token") else None,
        next_path=flow.next_path,
        id_token=str(token["id_token"]),
    )


def sign_in_person(session: Session, answer: ProviderAnswer) -> SignIn:
    """Find, link or create the person the answer names, and apply their groups. On a refusal
    nothing of this is written (a savepoint)."""
    with session.begin_nested():
        user, link = _person_for(session, answer.claims)
        link.refresh_token = seal(answer.refresh_token)
        link.checked_at = utcnow()
        _apply_groups(session, user=user, link=link, claims=answer.claims)
        session.add(link)
        session.flush()
    sid = answer.claims.get("sid")
    return SignIn(
        user=user,
        provider_session=str(sid) if sid else None,
        next_path=answer.next_path,
        id_token=seal(answer.id_token),
    )


def _check_active(user: User) -> None:
    if not user.is_active:
        raise SignInRefused(
            "deactivated", N_("Your account is deactivated. Ask an administrator."), status=403
        )


def _text_claim(claims: dict[str, Any], name: str, limit: int) -> str:
    value = claims.get(name)
    return without_forbidden(value).strip()[:limit] if isinstance(value, str) else ""


def _person_for(session: Session, claims: dict[str, Any]) -> tuple[User, OidcLink]:
    issuer, subject = get_settings().oidc_issuer, str(claims["sub"])[:255]
    found = session.exec(
        select(OidcLink, User)
        .join(User, User.id == OidcLink.user_id)  # type: ignore[arg-type]
        .where(OidcLink.issuer == issuer, OidcLink.subject == subject)
    ).first()
    if found is not None:
        _check_active(found[1])
        return found[1], found[0]
    email = _text_claim(claims, "email", 254).lower()
    if not EMAIL_RE.match(email):
        raise SignInRefused(
            "no_email", N_("The company account did not tell us your email address."), status=403
        )
    user = session.exec(select(User).where(User.email == email)).first()
    if user is None:
        user = _provision(session, email=email, claims=claims)
    else:
        _check_active(user)
        _check_may_link(session, user=user, claims=claims)
        record_audit(
            session, actor=user, action="user.sso_link", target_type="user", target_id=user.id
        )
    link = OidcLink(user_id=user.id, issuer=issuer, subject=subject)  # type: ignore[arg-type]
    session.add(link)
    session.flush()
    return user, link


def _check_may_link(session: Session, *, user: User, claims: dict[str, Any]) -> None:
    # Anyone can type any address into an account at some providers: only an address the
    # provider vouches for may enter an account that already exists.
    if claims.get("email_verified") is not True:
        raise SignInRefused(
            "unverified_email",
            N_(
                "Your company account's email address is not confirmed, and an account with "
                "this address already exists. Ask an administrator."
            ),
            status=403,
        )
    linked = session.exec(select(OidcLink.id).where(OidcLink.user_id == user.id)).first()
    if linked is not None:
        raise SignInRefused(
            "email_linked_to_other_subject",
            N_("An account with this address is already linked to another company account."),
            status=403,
        )


def _provision(session: Session, *, email: str, claims: dict[str, Any]) -> User:
    name = (
        _text_claim(claims, "name", 80)
        or _text_claim(claims, "preferred_username", 80)
        or email.split("@")[0]
    )
    locale = _text_claim(claims, "locale", 16).replace("_", "-").split("-")[0].lower()
    user = create_user(session, email=email, display_name=name, locale=locale or None)
    zone = _text_claim(claims, "zoneinfo", 64)
    if zone in available_timezones():
        user.time_zone = zone
        session.add(user)
    record_audit(
        session, actor=user, action="user.sso_provision", target_type="user", target_id=user.id
    )
    # Welcomed like an invited person: the spaces everyone joins, the welcome page next.
    welcome_newcomer(session, user=user)
    return user


def _groups(claims: dict[str, Any], claim: str) -> list[str]:
    value = claims.get(claim)
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list):
        return []
    return sorted({group.strip()[:200] for group in value if isinstance(group, str)} - {""})


def _apply_groups(session: Session, *, user: User, link: OidcLink, claims: dict[str, Any]) -> None:
    """Provider groups decide who is an admin and who belongs to which spaces, at every
    sign-in (when configured)."""
    settings = get_settings()
    if not settings.oidc_groups_claim:
        return
    groups = _groups(claims, settings.oidc_groups_claim)
    link.groups = " ".join(groups)[:4000]
    sync_provider_groups(session, user=user, groups=groups, mapping=settings.oidc_space_group_map)
    admin_groups = set(settings.oidc_admin_group_list)
    if not admin_groups:
        return
    change_admin_role(
        session,
        user=user,
        admin=bool(admin_groups & set(groups)),
        actor=None,
        detail=f"provider groups: {link.groups}",
    )


def end_provider_sessions(session: Session, *, logout_token: str) -> int:
    """Back-channel logout: end the sessions the provider's signed logout token names."""
    try:
        claims = oidc.verify_logout_token(logout_token)
    except oidc.ProviderError as exc:
        record_audit(
            session,
            actor=None,
            action="sso.logout_refused",
            target_type="user",
            target_id=None,
            detail=exc.reason,
        )
        raise _refused(exc.reason, exc.detail) from None
    ended = delete(AuthSession)
    user_id = None
    if claims.get("sub"):
        user_id = session.exec(
            select(OidcLink.user_id).where(
                OidcLink.issuer == claims["iss"], OidcLink.subject == str(claims["sub"])
            )
        ).first()
        if user_id is None:
            return 0
        ended = ended.where(col(AuthSession.user_id) == user_id)
    if claims.get("sid"):
        ended = ended.where(col(AuthSession.oidc_sid) == str(claims["sid"]))
    count = session.exec(ended).rowcount
    record_audit(
        session,
        actor=None,
        action="user.sso_logout",
        target_type="user",
        target_id=user_id,
        detail=f"{count} session(s)",
    )
    session.flush()
    return int(count or 0)


def offboard(session: Session, *, user: User, reason: str) -> None:
    """The provider no longer knows the person: end their sessions, stop their API tokens."""
    session.exec(delete(AuthSession).where(col(AuthSession.user_id) == user.id))
    revoke_api_tokens(session, user=user)
    note_access_change(session)  # open live connections close too
    record_audit(
        session,
        actor=None,
        action="user.sso_offboard",
        target_type="user",
        target_id=user.id,
        detail=reason,
    )


def recheck_sso_people(session: Session) -> int:
    """Ask the provider about people not checked for AGORA_OIDC_RECHECK_MINUTES; returns how
    many it no longer knows (their sessions and tokens end).

    A job: it commits before each question to the provider and after each answer, so no
    transaction (on SQLite: the write lock) is held while the provider thinks."""
    settings = get_settings()
    if not settings.oidc_enabled:
        return 0
    due = session.exec(
        select(OidcLink.id, OidcLink.refresh_token)
        .join(User, User.id == OidcLink.user_id)  # type: ignore[arg-type]
        .where(
            OidcLink.issuer == settings.oidc_issuer,
            OidcLink.refresh_token != None,  # noqa: E711
            col(OidcLink.checked_at) < utcnow() - timedelta(minutes=settings.oidc_recheck_minutes),
            User.is_active == True,  # noqa: E712
        )
        .order_by(col(OidcLink.checked_at))
        .limit(RECHECK_BATCH)
    ).all()
    session.commit()
    gone = 0
    for link_id, sealed in due:
        refresh_token = unseal(sealed)
        if refresh_token is None:
            # Sealed under another secret key: forget it; the next sign-in brings a new one.
            _forget_refresh_token(session, link_id=link_id)
            session.commit()
            continue
        try:
            answer = oidc.refresh(refresh_token)
        except oidc.ProviderError as exc:
            # An unreachable provider decides nothing; ask again at the next pass.
            log.warning("single sign-on recheck failed, trying again later: %s", exc)
            break
        gone += _note_recheck(session, link_id=link_id, answer=answer)
        session.commit()
    return gone


def _forget_refresh_token(session: Session, *, link_id: int | None) -> None:
    link = session.get(OidcLink, link_id)
    if link is not None:
        link.refresh_token = None
        session.add(link)
        session.flush()


def _note_recheck(session: Session, *, link_id: int | None, answer: dict[str, Any] | None) -> int:
    link = session.get(OidcLink, link_id)
    user = session.get(User, link.user_id) if link else None
    if link is None or user is None:
        return 0
    link.checked_at = utcnow()
    session.add(link)
    if answer is None:
        link.refresh_token = None
        offboard(session, user=user, reason="the provider refused the refresh token")
        session.flush()
        return 1
    if answer.get("refresh_token"):
        link.refresh_token = seal(str(answer["refresh_token"]))  # rotated
    session.flush()
    return 0


def provider_logout_url(
    sealed_id_token: str | None, *, post_logout_redirect_uri: str
) -> str | None:
    """Where to send a browser that signs out of a single sign-on session, so the provider's
    session ends too (OpenID Connect RP-Initiated Logout); None when there is nowhere to go:
    a password session, a provider without `end_session_endpoint`, or one not reachable now
    (the browser is then signed out of Agora only)."""
    settings = get_settings()
    id_token = unseal(sealed_id_token)
    if not id_token or not settings.oidc_enabled:
        return None
    try:
        endpoint = oidc.end_session_endpoint()
    except oidc.ProviderError:
        log.warning("signing out at the provider is not possible now: it is not reachable")
        return None
    if not endpoint:
        return None
    query = urlencode(
        {
            "id_token_hint": id_token,
            "post_logout_redirect_uri": post_logout_redirect_uri,
            "client_id": settings.oidc_client_id,
        }
    )
    return f"{endpoint}{'&' if '?' in endpoint else '?'}{query}"
