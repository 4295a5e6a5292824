"""Event pages: a space's events tab, my events, create and edit, the event page and RSVP."""

from collections.abc import Callable
from datetime import date
from functools import partial
from typing import Annotated, Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response
from sqlmodel import Session

from app.core.db import utcnow
from app.core.errors import Conflict, Invalid
from app.core.i18n import gettext
from app.core.ids import Id
from app.core.security import CurrentUser, SessionDep, csrf_protect
from app.core.transactions import TransactionalRoute
from app.events import service, views
from app.events.access import EventAccess, load_event, require_create, require_organiser
from app.events.feeds import current_feed_url
from app.events.occurrences import occurrence_on
from app.events.rsvp import set_rsvp
from app.events.schemas import EventForm, EventInput, OccurrenceForm, RsvpForm, known_zones
from app.events.venue.routes import router as venue_router
from app.people.models import User
from app.spaces.access import SpaceAccess, require_read, space_access_by_slug
from app.spaces.service import member_count
from app.uploads.forms import FormFiles, attach_form_files
from app.web.templates import block_after, form_error, is_htmx, render

router = APIRouter(route_class=TransactionalRoute, dependencies=[Depends(csrf_protect)])
router.include_router(venue_router)
EVENT_PAGE = "events/page.html"


def _errors(exc: Invalid) -> dict[str, str]:
    found = exc.params.get("errors") or {exc.field or "form": exc.message}
    return {name: gettext(message) for name, message in found.items()}


FormFields = Annotated[EventForm, Form()]


@router.get("/spaces/{slug}/events")
def space_events(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    slug: str,
    cursor: str | None = None,
    past: str | None = None,
) -> Response:
    access = require_read(space_access_by_slug(session, user, slug))
    context = views.space_tab(session, access=access, cursor=cursor, past_cursor=past)
    block = "upcoming_items" if cursor and is_htmx(request) else None
    return render(request, "events/space.html", context, block=block)


@router.get("/events")
def my_events(
    request: Request, session: SessionDep, user: CurrentUser, cursor: str | None = None
) -> Response:
    context = {
        "listing": views.listing(session, user=user, where=views.for_me(user), cursor=cursor),
        "calendar_url": current_feed_url(session, user=user),
    }
    block = "upcoming_items" if cursor and is_htmx(request) else None
    return render(request, "events/mine.html", context, block=block)


def _form_page(request: Request, context: dict[str, Any]) -> Response:
    return render(
        request, "events/form.html", {**context, "zones": sorted(known_zones()), "errors": {}}
    )


def _refused(
    request: Request, session: Session, exc: Invalid, page: Callable[[], dict[str, Any]]
) -> Response:
    """The event form again, each field with its message (422), rebuilt after the rollback."""
    errors = _errors(exc)

    def context() -> dict[str, Any]:
        return {**page(), "zones": sorted(known_zones()), "errors": errors}

    return form_error(request, session, "events/form.html", exc, context)


def _new_form(session: Session, access: SpaceAccess, form: dict[str, Any]) -> dict[str, Any]:
    """The form for a new event in a space: a newcomer's defaults, or what was typed."""
    return {
        "space": access.space,
        "form": form,
        "member_count": member_count(session, access.space.id),
    }


def _edit_form(session: Session, access: EventAccess, form: Any) -> dict[str, Any]:
    """An event's edit form: what is stored, or what was typed."""
    return {
        "space": access.space.space,
        "event": access.event,
        "form": form,
        "member_count": member_count(session, access.event.space_id),
    }


def _typed_edit(session: Session, user: User, event_id: int, form: EventForm) -> dict[str, Any]:
    """A refused edit: what was typed, in the form of the event as stored. Who may edit it
    was the service's to say, so this only loads the event."""
    access = load_event(session, user=user, event_id=event_id)
    return _edit_form(session, access, form.shown())


@router.get("/spaces/{slug}/events/new")
def new_event(request: Request, session: SessionDep, user: CurrentUser, slug: str) -> Response:
    access = require_create(session, space_access_by_slug(session, user, slug))
    form = {"timezone": user.time_zone, "repeat": "none", "repeat_interval": 1}
    return _form_page(request, _new_form(session, access, form))


def _with_files(
    session: SessionDep, user: CurrentUser, form: EventForm, files: FormFiles
) -> EventInput:
    """The event's input, with the files of the form's plain file field referenced at the end
    of the description (no JavaScript; app/uploads/forms.py)."""
    description = attach_form_files(session, user=user, body=form.description, files=files)
    return views.input_from_form(form.model_copy(update={"description": description}))


@router.post("/spaces/{slug}/events")
def create_event(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    slug: str,
    form: FormFields,
    attachment: FormFiles = None,
) -> Response:
    access = space_access_by_slug(session, user, slug)
    try:
        data = _with_files(session, user, form, attachment)
        event = service.create_event(session, access=access, data=data)
    except Invalid as exc:
        return _refused(request, session, exc, partial(_new_form, session, access, form.shown()))
    return RedirectResponse(f"/events/{event.id}", status_code=303)


@router.get("/events/{event_id}/edit")
def edit_event(request: Request, session: SessionDep, user: CurrentUser, event_id: Id) -> Response:
    access = require_organiser(load_event(session, user=user, event_id=event_id))
    return _form_page(request, _edit_form(session, access, views.form_for(access.event)))


@router.post("/events/{event_id}/edit")
def save_event(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    event_id: Id,
    form: FormFields,
    attachment: FormFiles = None,
) -> Response:
    try:
        data = _with_files(session, user, form, attachment)
        service.update_event(session, user=user, event_id=event_id, data=data)
    except Invalid as exc:
        return _refused(request, session, exc, partial(_typed_edit, session, user, event_id, form))
    return RedirectResponse(f"/events/{event_id}", status_code=303)


@router.post("/events/{event_id}/cancel")
def cancel_event(session: SessionDep, user: CurrentUser, event_id: Id) -> Response:
    service.cancel_event(session, user=user, event_id=event_id)
    return RedirectResponse(f"/events/{event_id}", status_code=303)


@router.get("/events/{event_id}/occurrences/{day}/edit")
def edit_occurrence(
    request: Request, session: SessionDep, user: CurrentUser, event_id: Id, day: str
) -> Response:
    context = _occurrence_page(session, user, event_id, views.parse_day(day))
    return render(request, "events/occurrence.html", context)


def _occurrence_page(
    session: SessionDep,
    user: User,
    event_id: int,
    on: date | None,
    form: dict[str, Any] | None = None,
    errors: dict[str, str] | None = None,
) -> dict[str, Any]:
    """One date of a series to change: the form holds what is stored, or what was typed."""
    access = require_organiser(load_event(session, user=user, event_id=event_id))
    occ = occurrence_on(session, event=access.event, day=on)  # type: ignore[arg-type]
    if form is None:
        zone = ZoneInfo(access.event.timezone)
        form = {
            "starts_at": occ.starts_at.astimezone(zone).strftime("%Y-%m-%dT%H:%M"),
            "ends_at": occ.ends_at.astimezone(zone).strftime("%Y-%m-%dT%H:%M"),
            "location": occ.location,
            "cancelled": occ.override is not None and occ.override.cancelled_at is not None,
        }
    return {"event": access.event, "occ": occ, "form": form, "errors": errors or {}}


@router.post("/events/{event_id}/occurrences/{day}/edit")
def save_occurrence(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    event_id: Id,
    day: str,
    form: Annotated[OccurrenceForm, Form()],
) -> Response:
    on = views.parse_day(day)
    try:
        service.update_occurrence(session, user=user, event_id=event_id, day=on, **form.change())  # type: ignore[arg-type]
    except Invalid as exc:
        context = partial(_occurrence_page, session, user, event_id, on, form.shown(), _errors(exc))
        return form_error(request, session, "events/occurrence.html", exc, context)
    return RedirectResponse(f"/events/{event_id}?on={day}", status_code=303)


@router.get("/events/{event_id}")
def event_page(
    request: Request, session: SessionDep, user: CurrentUser, event_id: Id, on: str | None = None
) -> Response:
    page = views.event_page(session, user=user, event_id=event_id, day=views.parse_day(on))
    return render(request, "events/page.html", {"p": page, "space": page.space})


@router.post("/events/{event_id}/rsvp")
def rsvp(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    event_id: Id,
    form: Annotated[RsvpForm, Form()],
) -> Response:
    day = views.parse_day(form.on)
    try:
        set_rsvp(session, user=user, event_id=event_id, status=form.status, occurrence_date=day)
    except (Invalid, Conflict) as exc:
        return _rsvp_answer(request, session, user, event_id, form.on, refused=exc)
    return _rsvp_answer(request, session, user, event_id, form.on)


def _rsvp_answer(
    request: Request,
    session: Session,
    user: User,
    event_id: int,
    on: str,
    refused: Invalid | Conflict | None = None,
) -> Response:
    """htmx gets the RSVP block (after a refusal, with its message); a plain form goes back to
    the event's RSVP, or has its refusal answered like any other."""
    if refused is None and not is_htmx(request):
        suffix = f"?on={on}" if on else ""
        return RedirectResponse(f"/events/{event_id}{suffix}#rsvp", status_code=303)
    context = partial(_rsvp_block, session, user, event_id, views.parse_day(on))
    # The attendee list listens for "rsvp-changed" and reloads itself.
    trigger = {"HX-Trigger": "rsvp-changed"}
    return block_after(
        request, session, EVENT_PAGE, context, block="rsvp", refused=refused, headers=trigger
    )


def _rsvp_block(
    session: SessionDep, user: User, event_id: int, day: date | None, error: str | None
) -> dict[str, Any]:
    page = views.event_page(session, user=user, event_id=event_id, day=day, now=utcnow())
    return {"p": page, "space": page.space, "rsvp_error": error}


@router.post("/spaces/{slug}/events/settings")
def event_settings(
    session: SessionDep, user: CurrentUser, slug: str, creators: Annotated[str, Form()] = ""
) -> Response:
    access = space_access_by_slug(session, user, slug)
    service.set_event_creators(session, access=access, creators=creators)
    return RedirectResponse(f"/spaces/{slug}/events", status_code=303)
