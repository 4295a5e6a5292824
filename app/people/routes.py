"""Sign-in, invitations, profiles, settings and the admin's people pages."""

import hashlib
import io
from functools import partial
from typing import Annotated, Any

from fastapi import APIRouter, Depends, File, Form, Query, Request, UploadFile
from fastapi.responses import RedirectResponse, Response
from sqlmodel import Session

from app.core.config import get_settings
from app.core.errors import DomainError, Invalid
from app.core.i18n import gettext
from app.core.ids import Id
from app.core.security import (
    SESSION_COOKIE,
    CurrentUser,
    OptionalUser,
    SessionDep,
    csrf_protect,
    end_session,
    start_session,
)
from app.core.transactions import TransactionalRoute
from app.images.faces import face_svg
from app.images.processing import read_picture
from app.people import avatars, service
from app.people.models import User
from app.people.schemas import LoginForm, NewPasswordForm, PasswordForm, SettingsForm
from app.people.sso import service as sso
from app.posts.streams import posts_by_author
from app.recognition.panels import profile_panel
from app.recognition.service import attach_marks
from app.spaces.newcomers import take_first_sign_in
from app.web.templates import form_error, image_response, render

router = APIRouter(route_class=TransactionalRoute, dependencies=[Depends(csrf_protect)])
TIME_ZONES = (
    "Europe/Berlin",
    "Europe/Vienna",
    "Europe/Zurich",
    "Europe/London",
    "Europe/Paris",
    "Europe/Madrid",
    "Europe/Warsaw",
    "America/New_York",
    "America/Chicago",
    "America/Los_Angeles",
    "Asia/Kolkata",
    "Asia/Singapore",
    "Asia/Tokyo",
    "Australia/Sydney",
    "UTC",
)


def safe_next(target: str | None) -> str:
    """Only same-site paths: never an open redirect to another host."""
    if target and target.startswith("/") and not target.startswith(("//", "/\\")):
        return target
    return "/"


def sign_in_response(
    request: Request,
    session: Session,
    user: User,
    target: str,
    *,
    oidc_sid: str | None = None,
    oidc_id_token: str | None = None,
) -> Response:
    """Replace this browser's session with a new one for the person, and go to target."""
    end_session(session, token=request.cookies.get(SESSION_COOKIE))
    token = start_session(session, user=user, oidc_sid=oidc_sid, oidc_id_token=oidc_id_token)
    target = safe_next(target)
    # A newcomer's first sign-in opens the welcome page, unless they came for a particular page.
    if take_first_sign_in(session, user=user) and target == "/":
        target = "/welcome"
    response = RedirectResponse(target, status_code=303)
    response.set_cookie(
        SESSION_COOKIE,
        token,
        httponly=True,
        samesite="lax",
        secure=get_settings().secure_cookies,
        max_age=get_settings().session_days * 86400,
    )
    return response


@router.get("/login")
def login_page(request: Request, user: OptionalUser, next: str = "/") -> Response:
    if user is not None:
        return RedirectResponse(safe_next(next), status_code=303)
    return render(request, "people/login.html", _login_context(next, ""))


def _login_context(next: str, email: str) -> dict[str, object]:
    settings = get_settings()
    return {
        "next": safe_next(next),
        "email": email,
        "oidc_name": settings.oidc_name if settings.oidc_enabled else None,
        "password_login": settings.password_login,
    }


@router.post("/login")
def login(request: Request, session: SessionDep, form: Annotated[LoginForm, Form()]) -> Response:
    address = request.client.host if request.client else "unknown"
    refused = partial(_login_refused, request, _login_context(form.next, form.email))
    if not get_settings().password_login:
        return refused(gettext("Sign-in with a password is switched off."), 403)
    try:
        user = service.authenticate(
            session, email=form.email, password=form.password, address=address
        )
    except DomainError as exc:
        return refused(exc.text(), exc.status_code)
    if user is None:
        session.commit()  # keep the failure count even though the answer is an error
        return refused(gettext("Email or password is not right."), 400)
    return sign_in_response(request, session, user, form.next)


def _login_refused(
    request: Request, context: dict[str, object], error: str, status: int
) -> Response:
    """The sign-in form again, with what was typed (but the password) and why not."""
    return render(request, "people/login.html", {**context, "error": error}, status_code=status)


# Where the provider sends the browser back after signing out there: register it with the
# provider as the post-logout redirect URI (README: Single sign-on).
SIGNED_OUT_PATH = "/login"


@router.post("/logout")
def logout(request: Request, session: SessionDep) -> Response:
    id_token = end_session(session, token=request.cookies.get(SESSION_COOKIE))
    after = f"{get_settings().base_url.rstrip('/')}{SIGNED_OUT_PATH}"
    at_provider = sso.provider_logout_url(id_token, post_logout_redirect_uri=after)
    response = RedirectResponse(at_provider or "/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE)
    return response


@router.get("/invite/{token}")
def invitation_page(request: Request, session: SessionDep, token: str) -> Response:
    return render(request, "people/invitation.html", _invitation_context(session, token))


def _invitation_context(session: SessionDep, token: str, error: str = "") -> dict[str, Any]:
    _invitation, invitee = service.invitation_for(session, token)
    return {"invitee": invitee, "token": token, "error": error}


@router.post("/invite/{token}")
def accept_invitation(
    request: Request, session: SessionDep, token: str, form: Annotated[NewPasswordForm, Form()]
) -> Response:
    try:
        user = service.accept_invitation(session, token=token, password=form.password)
    except Invalid as exc:
        context = partial(_invitation_context, session, token, exc.text())
        return form_error(request, session, "people/invitation.html", exc, context)
    return sign_in_response(request, session, user, "/")


@router.get("/people/@{handle}")
def profile_by_handle(session: SessionDep, user: CurrentUser, handle: str) -> Response:
    person = service.user_by_handle(session, handle)
    return RedirectResponse(f"/people/{person.id}", status_code=303)


@router.get("/people/{person_id}")
def profile(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    person_id: Id,
    cursor: str | None = None,
) -> Response:
    person = service.active_user(session, person_id)
    page = posts_by_author(session, viewer=user, author_id=person_id, cursor=cursor)
    attach_marks(session, page.items)
    recognition = profile_panel(session, viewer=user, person=person)
    context = {"person": person, "page": page, "recognition": recognition}
    return render(request, "people/profile.html", context)


def _settings_context(session: Session, user: User, form: object) -> dict[str, object]:
    return {
        "time_zones": TIME_ZONES,
        "form": form,
        "api_tokens": service.live_api_token_count(session, user=user),
        "picture_max_mb": get_settings().upload_max_mb,
    }


@router.get("/settings")
def settings_page(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    password: bool = False,
    revoked: Annotated[int, Query(ge=0)] = 0,
) -> Response:
    context = {**_settings_context(session, user, user), "password_changed": password}
    return render(request, "people/settings.html", {**context, "revoked": revoked})


@router.post("/settings")
def save_settings(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    form: Annotated[SettingsForm, Form()],
) -> Response:
    try:
        service.update_profile(session, user=user, **form.shown())
    except Invalid as exc:
        context = partial(_settings_context, session, user, form.shown())
        return form_error(request, session, "people/settings.html", exc, context)
    return RedirectResponse("/settings?saved=1", status_code=303)


@router.post("/settings/password")
def save_password(
    request: Request, session: SessionDep, user: CurrentUser, form: Annotated[PasswordForm, Form()]
) -> Response:
    current, new = form.current_password, form.new_password
    try:
        revoked = service.change_password(
            session, user=user, current=current, new=new, revoke_tokens=form.revoke_tokens
        )
    except Invalid as exc:
        # The checks come before any write: nothing to undo, and the signed-in person stays loaded.
        context = partial(_settings_context, session, user, user)
        return form_error(request, session, "people/settings.html", exc, context, rollback=False)
    # Every session of the person ended with the old password; this browser gets a new one.
    return sign_in_response(request, session, user, f"/settings?password=1&revoked={revoked}")


@router.get("/people/{person_id}/avatar/{width}")
def avatar(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    person_id: Id,
    width: avatars.AvatarWidth,
) -> Response:
    """A person's picture, or their generated face (live presence needs a URL for everyone)."""
    person = service.active_user(session, person_id)
    picture = avatars.servable_avatar(session, person=person, width=int(width))
    if picture is None:
        return _face(request, person)
    etag = f"{picture.version}-{picture.width}"
    return image_response(request, data=picture.data, content_type=picture.content_type, etag=etag)


def _face(request: Request, person: User) -> Response:
    """The face drawn for a person without a picture, tagged by its own bytes."""
    svg = face_svg(person.display_name, person.id).encode()
    etag = hashlib.sha256(svg).hexdigest()[:16]
    return image_response(request, data=svg, content_type="image/svg+xml", etag=etag)


@router.post("/settings/avatar")
def upload_avatar(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    file: Annotated[UploadFile | None, File()] = None,
) -> Response:
    try:
        raw = read_picture(file.file if file is not None else io.BytesIO())
        avatars.set_avatar(session, user=user, raw=raw)
    except Invalid as exc:
        context = partial(_settings_context, session, user, user)
        return form_error(request, session, "people/settings.html", exc, context)
    return RedirectResponse("/settings?picture=saved", status_code=303)


@router.post("/settings/avatar/delete")
def delete_avatar(session: SessionDep, user: CurrentUser) -> Response:
    avatars.remove_avatar(session, user=user, actor=user)
    return RedirectResponse("/settings?picture=removed", status_code=303)


@router.get("/ping")
def ping(user: CurrentUser) -> Response:
    """The cheapest signed-in page: the benchmark's floor (same middleware and session check)."""
    return Response("pong", media_type="text/plain")
