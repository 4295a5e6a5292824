"""Forgotten passwords: ask for a link by email, then choose a new password with it."""

from functools import partial
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import Response

from app.core.config import get_settings
from app.core.errors import Invalid, TooManyRequests
from app.core.security import OptionalUser, SessionDep, csrf_protect
from app.core.transactions import TransactionalRoute
from app.people.resets import service as resets
from app.people.routes import sign_in_response
from app.people.schemas import ForgotPasswordForm, NewPasswordForm
from app.web.templates import form_error, render

router = APIRouter(route_class=TransactionalRoute, dependencies=[Depends(csrf_protect)])
# The link's secret is in the address: no other site learns it from a Referer header.
NO_REFERRER = {"Referrer-Policy": "no-referrer"}


def _forgot_context(**extra: object) -> dict[str, object]:
    settings = get_settings()
    return {
        "mail_enabled": settings.mail_enabled and settings.password_login,
        "minutes": settings.password_reset_minutes,
        **extra,
    }


@router.get("/forgot-password")
def forgot_password_page(request: Request, user: OptionalUser) -> Response:
    return _forgot_page(request, 200, email="")


def _forgot_page(request: Request, status: int, **extra: object) -> Response:
    return render(request, "people/forgot.html", _forgot_context(**extra), status_code=status)


@router.post("/forgot-password")
def forgot_password(
    request: Request, session: SessionDep, form: Annotated[ForgotPasswordForm, Form()]
) -> Response:
    if not _forgot_context()["mail_enabled"]:
        return _forgot_page(request, 409, email="")
    address = request.client.host if request.client else "unknown"
    try:
        resets.request_reset(session, email=form.email, address=address)
    except TooManyRequests as exc:
        return _forgot_page(request, exc.status_code, email=form.email, error=exc.text())
    # The same answer whether or not the address has an account.
    return _forgot_page(request, 200, email=form.email, sent=True)


@router.get("/reset/{token}")
def reset_page(request: Request, session: SessionDep, token: str) -> Response:
    return render(request, "people/reset.html", _reset_context(session, token), headers=NO_REFERRER)


def _reset_context(session: SessionDep, token: str) -> dict[str, Any]:
    _reset, person = resets.reset_for(session, token)
    return {"person": person, "token": token}


@router.post("/reset/{token}")
def reset_password(
    request: Request, session: SessionDep, token: str, form: Annotated[NewPasswordForm, Form()]
) -> Response:
    try:
        person = resets.complete_reset(session, token=token, password=form.password)
    except Invalid as exc:
        context = partial(_reset_context, session, token)
        page = "people/reset.html"
        return form_error(
            request, session, page, exc, context, field="password", headers=NO_REFERRER
        )
    return sign_in_response(request, session, person, "/settings?password=1")
