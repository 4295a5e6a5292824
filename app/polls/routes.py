"""Poll pages: date polls (propose dates, answer, turn the best slot into an event), and quick
polls in posts and beside protocols."""

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response

from app.core.ids import Id
from app.errors import Conflict, Invalid
from app.events.access import require_create
from app.i18n import gettext
from app.people.models import User
from app.polls import dates, in_protocols, quick, views
from app.polls.models import Poll
from app.posts.service import load_post
from app.protocols.access import can_edit, protocol_access, require_edit
from app.security import CurrentUser, SessionDep, csrf_protect
from app.spaces.access import require_read, space_access_by_slug
from app.transactions import TransactionalRoute, writes_in_steps
from app.web import is_htmx, render

router = APIRouter(route_class=TransactionalRoute, dependencies=[Depends(csrf_protect)])


def _errors(exc: Invalid) -> dict[str, str]:
    found = exc.params.get("errors") or {exc.field or "form": exc.message}
    return {name: gettext(message) for name, message in found.items()}


async def _form_fields(request: Request) -> dict[str, str]:
    # Read on the event loop, so the handler's transaction runs in one thread slot.
    form = await request.form()
    return {k: v for k, v in form.items() if isinstance(v, str) and k != "csrf_token"}


FormFields = Annotated[dict[str, str], Depends(_form_fields)]


@router.get("/spaces/{slug}/date-polls")
def space_polls(request: Request, session: SessionDep, user: CurrentUser, slug: str) -> Response:
    """The space's polls still looking for a date (also loaded into the events tab)."""
    access = require_read(space_access_by_slug(session, user, slug))
    context = {"space": access.space, "polls": views.open_polls(session, access=access)}
    return render(request, "polls/space.html", context)


@router.get("/spaces/{slug}/date-polls/new")
def new_poll(request: Request, session: SessionDep, user: CurrentUser, slug: str) -> Response:
    access = require_create(session, space_access_by_slug(session, user, slug))
    form = {"timezone": user.time_zone}
    return render(request, "polls/new.html", views.form_context(session, access, form, {}))


@router.post("/spaces/{slug}/date-polls")
def create_poll(
    request: Request, session: SessionDep, user: CurrentUser, slug: str, form: FormFields
) -> Response:
    access = space_access_by_slug(session, user, slug)
    if "more" in form:
        require_create(session, access)
        context = views.form_context(session, access, form, {})
        return render(request, "polls/new.html", context)
    try:
        poll, _options = dates.create_date_poll(
            session, access=access, data=views.input_from_form(form)
        )
    except Invalid as exc:
        session.rollback()
        context = views.form_context(session, access, form, _errors(exc))
        return render(request, "polls/new.html", context, status_code=422)
    return RedirectResponse(f"/date-polls/{poll.id}", status_code=303)


@router.get("/date-polls/{poll_id}")
def poll_page(request: Request, session: SessionDep, user: CurrentUser, poll_id: Id) -> Response:
    page = views.date_poll_page(session, user=user, poll_id=poll_id)
    return render(request, "polls/date_poll.html", {"p": page, "space": page.access.space.space})


@router.post("/date-polls/{poll_id}/answers")
def answer(
    request: Request, session: SessionDep, user: CurrentUser, poll_id: Id, form: FormFields
) -> Response:
    answers = {
        key.removeprefix("answer_"): value
        for key, value in form.items()
        if key.startswith("answer_") and value
    }
    error = None
    try:
        dates.answer_date_poll(session, user=user, poll_id=poll_id, answers=answers)
    except Invalid as exc:
        session.rollback()
        if not is_htmx(request):
            raise
        error = gettext(exc.message)
    if not is_htmx(request):
        return RedirectResponse(f"/date-polls/{poll_id}", status_code=303)
    session.flush()
    page = views.date_poll_page(session, user=user, poll_id=poll_id)
    context = {"p": page, "space": page.access.space.space, "answer_error": error}
    return render(
        request,
        "polls/date_poll.html",
        context,
        block="poll",
        status_code=422 if error else 200,
    )


@router.post("/date-polls/{poll_id}/event")
def make_event(
    session: SessionDep,
    user: CurrentUser,
    poll_id: Id,
    option_id: Annotated[int, Form()],
    capacity: Annotated[str, Form()] = "",
    location: Annotated[str, Form()] = "",
) -> Response:
    places = capacity.strip()
    if places and not (places.isdigit() and int(places) <= 100_000):
        raise Invalid("Capacity must be a whole number (leave it empty for no limit)")
    event = dates.create_event_from_poll(
        session,
        user=user,
        poll_id=poll_id,
        option_id=option_id,
        capacity=int(places) if places else None,
        location=location.strip(),
    )
    return RedirectResponse(f"/events/{event.id}", status_code=303)


# --- quick polls in posts -------------------------------------------------------------------


def _quick_poll_fields(form: dict[str, str], user: User) -> dict[str, Any]:
    """The quick poll composer's fields, as the services take them (a post's or a protocol's)."""
    return {
        "question": form.get("question", ""),
        "options": [line for line in form.get("options", "").splitlines() if line.strip()],
        "multiple": form.get("multiple") == "1",
        "anonymous": form.get("anonymous") == "1",
        "results_after_close": form.get("results") == "after_close",
        "closes_at": views.closing_time(form.get("closes_at", ""), zone=user.time_zone),
    }


@router.get("/posts/{post_id}/poll/new")
def new_quick_poll(
    request: Request, session: SessionDep, user: CurrentUser, post_id: Id
) -> Response:
    post, access = load_post(session, user=user, post_id=post_id)
    context = {"post": post, "space": access.space, "form": {}, "errors": {}}
    return render(request, "polls/quick_new.html", context)


@router.post("/posts/{post_id}/poll")
def add_quick_poll(
    request: Request, session: SessionDep, user: CurrentUser, post_id: Id, form: FormFields
) -> Response:
    try:
        quick.create_poll(
            session,
            user=user,
            post_id=post_id,
            **_quick_poll_fields(form, user),
        )
    except Invalid as exc:
        session.rollback()
        post, access = load_post(session, user=user, post_id=post_id)
        context = {"post": post, "space": access.space, "form": form, "errors": _errors(exc)}
        return render(request, "polls/quick_new.html", context, status_code=422)
    return RedirectResponse(f"/posts/{post_id}", status_code=303)


@router.get("/polls/{quick_poll_id}")
def quick_poll(
    request: Request, session: SessionDep, user: CurrentUser, quick_poll_id: Id
) -> Response:
    """The poll (loaded into its post's page, or a page of its own without JavaScript)."""
    view = quick.poll_view(session, user=user, poll_id=quick_poll_id)
    return render(request, "polls/quick.html", {"v": view, "space": view.access.space.space})


async def _chosen_options(request: Request) -> list[int]:
    form = await request.form()
    return [int(v) for v in form.getlist("option_ids") if isinstance(v, str) and v.isdigit()]


@router.post("/polls/{quick_poll_id}/vote")
def quick_vote(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    quick_poll_id: Id,
    chosen: Annotated[list[int], Depends(_chosen_options)],
) -> Response:
    error = None
    try:
        quick.vote(session, user=user, poll_id=quick_poll_id, option_ids=chosen)
    except (Invalid, Conflict) as exc:
        session.rollback()
        if not is_htmx(request):
            raise
        error = gettext(exc.message)
    if not is_htmx(request):
        poll = quick.load_poll(session, user=user, poll_id=quick_poll_id).poll
        return RedirectResponse(_place_of(poll), status_code=303)
    session.flush()
    view = quick.poll_view(session, user=user, poll_id=quick_poll_id)
    context = {"v": view, "space": view.access.space.space, "vote_error": error}
    status = 422 if isinstance(error, str) and error else 200
    return render(request, "polls/quick.html", context, block="quick_poll", status_code=status)


def _place_of(poll: Poll) -> str:
    if poll.protocol_id is not None:
        return f"/protocols/{poll.protocol_id}"
    return f"/posts/{poll.post_id}"


# --- quick polls beside a protocol ------------------------------------------------------------


@router.get("/protocols/{protocol_id}/polls")
def protocol_polls(
    request: Request, session: SessionDep, user: CurrentUser, protocol_id: Id
) -> Response:
    """The protocol's polls (loaded into the protocol's page, or a page of their own)."""
    ids = in_protocols.protocol_poll_ids(session, user=user, protocol_id=protocol_id)
    protocol, access = protocol_access(session, user, protocol_id)
    context = {
        "protocol": protocol,
        "views": [quick.poll_view(session, user=user, poll_id=poll_id) for poll_id in ids],
        "may_ask": can_edit(protocol, access),
    }
    return render(request, "polls/protocol_polls.html", context, block="protocol_polls")


def _protocol_poll_form(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    protocol_id: int,
    form: dict[str, str],
    errors: dict[str, str],
) -> Response:
    protocol, access = protocol_access(session, user, protocol_id)
    require_edit(protocol, access)
    context = {"protocol": protocol, "space": access.space, "form": form, "errors": errors}
    return render(request, "polls/quick_new.html", context, status_code=422 if errors else 200)


@router.get("/protocols/{protocol_id}/polls/new")
def new_protocol_poll(
    request: Request, session: SessionDep, user: CurrentUser, protocol_id: Id
) -> Response:
    return _protocol_poll_form(request, session, user, protocol_id, {}, {})


@router.post("/protocols/{protocol_id}/polls")
def add_protocol_poll(
    request: Request, session: SessionDep, user: CurrentUser, protocol_id: Id, form: FormFields
) -> Response:
    try:
        in_protocols.create_protocol_poll(
            session,
            user=user,
            protocol_id=protocol_id,
            **_quick_poll_fields(form, user),
        )
    except Invalid as exc:
        session.rollback()
        return _protocol_poll_form(request, session, user, protocol_id, form, _errors(exc))
    return RedirectResponse(f"/protocols/{protocol_id}", status_code=303)


@router.post("/polls/{quick_poll_id}/decision")
@writes_in_steps
def record_decision(session: SessionDep, user: CurrentUser, quick_poll_id: Id) -> Response:
    """Close the poll and write its outcome into the protocol's decisions."""
    in_protocols.record_outcome(session, user=user, poll_id=quick_poll_id)
    poll = quick.load_poll(session, user=user, poll_id=quick_poll_id).poll
    return RedirectResponse(f"{_place_of(poll)}?decided={poll.id}", status_code=303)
