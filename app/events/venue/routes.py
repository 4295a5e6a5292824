"""At and after the meeting: check-in (link + QR), protocol template, recap; calendars (.ics)."""

import io
from typing import Annotated, Any

import segno
from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from app.core.config import get_settings
from app.core.db import utcnow
from app.core.errors import Invalid
from app.core.i18n import gettext
from app.core.ids import Id
from app.core.security import CurrentUser, SessionDep
from app.core.transactions import TransactionalRoute
from app.events import feeds
from app.events.access import EventAccess, load_event, require_organiser
from app.events.protocol import link_protocol, protocol_prefill
from app.events.rsvp import attended, check_in, checkin_occurrence
from app.events.service import create_recap_post
from app.events.views import parse_day
from app.protocols.service import create_protocol
from app.spaces.access import space_access_by_slug
from app.web.templates import form_error, is_htmx, render

router = APIRouter(route_class=TransactionalRoute)
CALENDAR_TYPE = "text/calendar; charset=utf-8"


def checkin_url(event_id: int, code: str) -> str:
    return f"{get_settings().base_url.rstrip('/')}/events/{event_id}/checkin/{code}"


@router.get("/events/{event_id}/checkin")
def checkin_host_page(
    request: Request, session: SessionDep, user: CurrentUser, event_id: Id
) -> Response:
    """For organisers: the link and QR code to show at the venue, and who has checked in."""
    access = require_organiser(load_event(session, user=user, event_id=event_id))
    return render(request, "events/checkin_host.html", _host_context(session, access, event_id))


def _host_context(session: SessionDep, access: EventAccess, event_id: int) -> dict[str, Any]:
    """Today's occurrence (or why check-in is closed), its link and who has checked in."""
    event = access.event
    try:
        occ = checkin_occurrence(event, now=utcnow(), session=session)
        error = None
    except Invalid as exc:
        occ, error = None, gettext(exc.message)
    people = attended(session, event_id=event_id, day=occ.occurrence_date) if occ else []
    return {
        "event": event,
        "space": access.space.space,
        "occ": occ,
        "people": people,
        "checkin_error": error,
        "url": checkin_url(event_id, event.checkin_code),
    }


@router.get("/events/{event_id}/checkin.svg")
def checkin_qr(session: SessionDep, user: CurrentUser, event_id: Id) -> Response:
    """The check-in link as a QR code image, made on the server (no script needed)."""
    access = require_organiser(load_event(session, user=user, event_id=event_id))
    buffer = io.BytesIO()
    segno.make(checkin_url(event_id, access.event.checkin_code), error="m").save(
        buffer, kind="svg", scale=8, border=2, xmldecl=False, dark="#000", light="#fff"
    )
    return Response(
        buffer.getvalue(),
        media_type="image/svg+xml",
        headers={"cache-control": "private, no-store"},
    )


@router.get("/events/{event_id}/checkin/{code}")
def checkin(
    request: Request, session: SessionDep, user: CurrentUser, event_id: Id, code: str
) -> Response:
    """Opening the venue link while signed in checks the person in (again: nothing changes)."""
    try:
        access, occ, new = check_in(session, user=user, event_id=event_id, code=code)
    except Invalid as exc:
        error = exc.text()

        def refused() -> dict[str, Any]:
            event = load_event(session, user=user, event_id=event_id).event
            return {"event": event, "error": error, "occ": None}

        return form_error(request, session, "events/checkin.html", exc, refused)
    context = {"event": access.event, "occ": occ, "new": new, "error": None}
    return render(request, "events/checkin.html", context)


@router.get("/events/{event_id}/protocol")
def protocol_page(
    request: Request, session: SessionDep, user: CurrentUser, event_id: Id, on: str | None = None
) -> Response:
    """Start the protocol: a live protocol pre-filled from the event, or the Markdown to copy."""
    access = load_event(session, user=user, event_id=event_id)
    title, markdown = protocol_prefill(session, event=access.event, occurrence_date=parse_day(on))
    context = {
        "event": access.event,
        "space": access.space.space,
        "title": title,
        "markdown": markdown,
        "on": on,
        "can_start": access.space.can_write,
    }
    return render(request, "events/protocol.html", context)


@router.post("/events/{event_id}/protocol")
def start_protocol(
    session: SessionDep, user: CurrentUser, event_id: Id, on: Annotated[str, Form()] = ""
) -> Response:
    """Create the event's live protocol, pre-filled (title, date, place, attendees, agenda)."""
    access = load_event(session, user=user, event_id=event_id)
    event = access.event
    if event.protocol_id is None:
        title, markdown = protocol_prefill(session, event=event, occurrence_date=parse_day(on))
        protocol = create_protocol(session, access=access.space, title=title, text=markdown)
        link_protocol(session, event=event, protocol_id=protocol.id)  # type: ignore[arg-type]
    return RedirectResponse(f"/protocols/{event.protocol_id}", status_code=303)


@router.post("/events/{event_id}/recap")
def recap(
    session: SessionDep, user: CurrentUser, event_id: Id, on: Annotated[str, Form()] = ""
) -> Response:
    post = create_recap_post(session, user=user, event_id=event_id, day=parse_day(on))
    return RedirectResponse(f"/posts/{post.id}/edit", status_code=303)


@router.get("/events/{event_id}.ics")
def event_ics(session: SessionDep, user: CurrentUser, event_id: Id) -> Response:
    """ "Add to calendar": this event (with its changed occurrences) as a file."""
    event = load_event(session, user=user, event_id=event_id).event
    return Response(
        feeds.event_file(session, event=event),
        media_type=CALENDAR_TYPE,
        headers={"content-disposition": f'attachment; filename="event-{event_id}.ics"'},
    )


@router.get("/calendar/{token}.ics")
def calendar_feed(session: SessionDep, token: str) -> Response:
    """A subscribed calendar: no sign-in, the secret address is the key."""
    return Response(
        feeds.feed_calendar(session, token=token),
        media_type=CALENDAR_TYPE,
        headers={"cache-control": "private, max-age=300", "x-robots-tag": "noindex"},
    )


def _calendar_block(request: Request, url: str | None, target: str, back: str) -> Response:
    if is_htmx(request):
        return render(
            request,
            "events/_calendar.html",
            {"calendar_url": url, "calendar_action": target},
        )
    return RedirectResponse(back, status_code=303)


@router.post("/events/calendar")
def my_calendar(request: Request, session: SessionDep, user: CurrentUser) -> Response:
    url = feeds.feed_url(feeds.feed_token(session, user=user))
    return _calendar_block(request, url, "/events/calendar", "/events#calendar")


@router.post("/events/calendar/revoke")
def revoke_my_calendar(request: Request, session: SessionDep, user: CurrentUser) -> Response:
    feeds.revoke_feed_token(session, user=user)
    return _calendar_block(request, None, "/events/calendar", "/events#calendar")


@router.post("/spaces/{slug}/events/calendar")
def space_calendar(request: Request, session: SessionDep, user: CurrentUser, slug: str) -> Response:
    access = space_access_by_slug(session, user, slug)
    url = feeds.feed_url(feeds.feed_token(session, user=user, access=access))
    action = f"/spaces/{slug}/events/calendar"
    return _calendar_block(request, url, action, f"/spaces/{slug}/events#calendar")


@router.post("/spaces/{slug}/events/calendar/revoke")
def revoke_space_calendar(
    request: Request, session: SessionDep, user: CurrentUser, slug: str
) -> Response:
    access = space_access_by_slug(session, user, slug)
    feeds.revoke_feed_token(session, user=user, space_id=access.space.id)
    action = f"/spaces/{slug}/events/calendar"
    return _calendar_block(request, None, action, f"/spaces/{slug}/events#calendar")
