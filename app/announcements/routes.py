"""Pages for announcements pinned on everyone's home page (admins only)."""

from datetime import datetime, time
from functools import partial
from typing import Annotated, Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response

from app.announcements import service as announcements
from app.announcements.schemas import HomePinForm
from app.core.errors import Forbidden, Invalid
from app.core.ids import Id
from app.core.security import CurrentUser, SessionDep, csrf_protect
from app.core.transactions import TransactionalRoute
from app.people.models import User
from app.posts.service import load_post
from app.web.templates import form_error, render

router = APIRouter(route_class=TransactionalRoute, dependencies=[Depends(csrf_protect)])
PIN_FORM = "announcements/home_pin.html"


def _pin_context(
    session: SessionDep, user: CurrentUser, post_id: int, form: dict | None = None
) -> dict[str, Any]:
    post, access = load_post(session, user=user, post_id=post_id)
    if not user.is_admin:
        raise Forbidden("Only administrators may do that")
    return {
        "post": post,
        "space": access.space,
        "pin": announcements.site_pin_for(session, post_id=post_id),
        "form": form or {},
        "errors": {},
    }


@router.get("/posts/{post_id}/home-pin")
def home_pin_form(
    request: Request, session: SessionDep, user: CurrentUser, post_id: Id
) -> Response:
    return render(request, PIN_FORM, _pin_context(session, user, post_id))


def _end_of_day(value: str, zone: str) -> datetime | None:
    """A date from the form means "until the end of that day" in the admin's time zone."""
    if not value.strip():
        return None
    try:
        day = datetime.fromisoformat(value.strip()).date()
    except ValueError as exc:
        raise Invalid("Enter a date, e.g. 2030-05-17", field="expires_at") from exc
    return datetime.combine(day, time(23, 59), tzinfo=ZoneInfo(zone))


def _unpin(session: SessionDep, user: User, post_id: int) -> Response:
    announcements.unpin_from_home(session, user=user, post_id=post_id)
    return RedirectResponse(f"/posts/{post_id}", status_code=303)


def _pin_until(session: SessionDep, user: User, post_id: int, expires_at: str) -> None:
    until = _end_of_day(expires_at, user.time_zone)
    announcements.pin_on_home(session, user=user, post_id=post_id, expires_at=until)


@router.post("/posts/{post_id}/home-pin")
def home_pin(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    post_id: Id,
    form: Annotated[HomePinForm, Form()],
) -> Response:
    if form.unpin:
        return _unpin(session, user, post_id)
    try:
        _pin_until(session, user, post_id, form.expires_at)
    except Invalid as exc:
        context = partial(_pin_context, session, user, post_id, form.shown())
        return form_error(request, session, PIN_FORM, exc, context, field=exc.field or "expires_at")
    return RedirectResponse("/", status_code=303)
