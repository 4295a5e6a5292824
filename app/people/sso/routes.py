"""Single sign-on pages: start at the provider, come back, and the provider's logout calls."""

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response
from sqlmodel import Session

from app.core.config import get_settings
from app.core.errors import DomainError, NotFound
from app.core.security import SessionDep
from app.core.transactions import TransactionalRoute
from app.people.oidc import ProviderError
from app.people.routes import safe_next, sign_in_response
from app.people.service import record_audit
from app.people.sso import service as sso
from app.web.templates import render

# No CSRF check on this router: the provider's server posts the logout, and the two GETs change
# nothing a third party could abuse (the state cookie binds the callback to its browser).
router = APIRouter(route_class=TransactionalRoute)
STATE_COOKIE = "agora_oidc_state"
CALLBACK_PATH = "/auth/oidc/callback"


def _enabled() -> None:
    if not get_settings().oidc_enabled:
        raise NotFound


def _redirect_uri() -> str:
    return get_settings().base_url.rstrip("/") + CALLBACK_PATH


def _address(request: Request) -> str:
    return request.client.host if request.client else "unknown"


@router.get("/auth/oidc/login")
def oidc_login(request: Request, session: SessionDep, next: str = "/") -> Response:
    _enabled()
    try:
        url, state = sso.start_sign_in(
            session, redirect_uri=_redirect_uri(), next_path=safe_next(next)
        )
    except ProviderError as exc:
        raise DomainError("The company sign-in is not reachable right now.") from exc
    return _with_state(RedirectResponse(url, status_code=303), state)


def _with_state(response: Response, state: str) -> Response:
    """The sign-in's state, kept by this browser for the provider's way back."""
    response.set_cookie(
        STATE_COOKIE,
        state,
        max_age=sso.FLOW_MINUTES * 60,
        path="/auth/oidc",
        httponly=True,
        # Lax: the provider sends the browser back with a top-level GET, which carries it.
        samesite="lax",
        secure=get_settings().secure_cookies,
    )
    return response


@router.get(CALLBACK_PATH)
def oidc_callback(
    request: Request,
    session: SessionDep,
    state: str = "",
    code: str = "",
    error: str = "",
    iss: str = "",
) -> Response:
    _enabled()
    try:
        signed_in = _person_signed_in(request, session, state, code, error, iss)
    except sso.SignInRefused as exc:
        return _sign_in_refused(request, session, exc)
    return _signed_in_page(request, session, signed_in)


def _signed_in_page(request: Request, session: Session, signed_in: sso.SignIn) -> Response:
    """A session bound to the provider's (for its logout calls), and on to the page asked for."""
    response = sign_in_response(
        request,
        session,
        signed_in.user,
        signed_in.next_path,
        oidc_sid=signed_in.provider_session,
        oidc_id_token=signed_in.id_token,
    )
    response.delete_cookie(STATE_COOKIE, path="/auth/oidc")
    return response


def _person_signed_in(
    request: Request, session: Session, state: str, code: str, error: str, issuer: str
) -> sso.SignIn:
    """The person the provider's answer names, once the browser's state matched the flow."""
    flow = sso.take_flow(
        session, state=state[:200], browser_state=request.cookies.get(STATE_COOKIE)
    )
    # The state is used up for good, and no transaction waits while the provider answers.
    session.commit()
    answer = sso.provider_answer(
        flow, redirect_uri=_redirect_uri(), code=code[:2000], error=error, issuer=issuer
    )
    return sso.sign_in_person(session, answer)


def _sign_in_refused(request: Request, session: Session, exc: sso.SignInRefused) -> Response:
    """Why the sign-in failed, for the person; the reason and address, for the audit log."""
    record_audit(
        session,
        actor=None,
        action="sso.refused",
        target_type="user",
        target_id=None,
        detail=f"{exc.reason} from {_address(request)}: {exc.detail}",
    )
    session.commit()  # the refusal is recorded, and a used state stays used
    response = render(
        request,
        "people/sso_refused.html",
        {"message": exc.text()},
        status_code=exc.status_code,
    )
    response.delete_cookie(STATE_COOKIE, path="/auth/oidc")
    return response


@router.post("/auth/oidc/backchannel-logout")
def oidc_backchannel_logout(
    session: SessionDep, logout_token: Annotated[str, Form(max_length=20000)] = ""
) -> Response:
    _enabled()
    headers = {"Cache-Control": "no-store"}
    try:
        sso.end_provider_sessions(session, logout_token=logout_token)
    except sso.SignInRefused as exc:
        session.commit()  # keep the audit entry
        return JSONResponse(
            {"error": "invalid_request", "error_description": exc.reason},
            status_code=400,
            headers=headers,
        )
    return Response(status_code=200, headers=headers)
