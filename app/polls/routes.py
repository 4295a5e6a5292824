"""Poll pages: date polls (propose dates, answer, turn the best slot into an event), and quick
polls in posts and beside protocols."""

from functools import partial
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response

from app.core.errors import Conflict, Invalid
from app.core.i18n import gettext
from app.core.ids import Id
from app.core.security import CurrentUser, SessionDep, csrf_protect
from app.core.transactions import TransactionalRoute, writes_in_steps
from app.events.access import require_create
from app.people.models import User
from app.polls import dates, in_protocols, quick, views
from app.polls.models import DatePoll, Poll
from app.polls.schemas import (
    DateAnswersForm,
    DatePollForm,
    PollEventForm,
    QuickPollForm,
    QuickVoteForm,
)
from app.posts.service import load_post
from app.protocols.access import can_edit, protocol_access, require_edit
from app.spaces.access import SpaceAccess, require_read, space_access_by_slug
from app.web.templates import block_after, form_error, is_htmx, render

router = APIRouter(route_class=TransactionalRoute, dependencies=[Depends(csrf_protect)])
DATE_POLL = "polls/date_poll.html"
QUICK_POLL = "polls/quick.html"


def _errors(exc: Invalid) -> dict[str, str]:
    found = exc.params.get("errors") or {exc.field or "form": exc.message}
    return {name: gettext(message) for name, message in found.items()}


QuickPollFields = Annotated[QuickPollForm, Form()]


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
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    slug: str,
    form: Annotated[DatePollForm, Form()],
) -> Response:
    access = space_access_by_slug(session, user, slug)
    if form.more is not None:
        return _poll_form(request, session, access, form.fields())
    try:
        poll = _new_poll(session, access, form)
    except Invalid as exc:
        return _poll_form(request, session, access, form.fields(), refused=exc)
    return RedirectResponse(f"/date-polls/{poll.id}", status_code=303)


def _new_poll(session: SessionDep, access: SpaceAccess, form: DatePollForm) -> DatePoll:
    poll, _options = dates.create_date_poll(
        session, access=access, data=views.input_from_form(form.fields())
    )
    return poll


def _poll_form(
    request: Request,
    session: SessionDep,
    access: SpaceAccess,
    fields: dict[str, Any],
    refused: Invalid | None = None,
) -> Response:
    """The new poll's form again: with more rows for dates (the "more" button), or after a
    refusal with each field's message (422)."""
    if refused is None:
        require_create(session, access)
        return render(request, "polls/new.html", views.form_context(session, access, fields, {}))
    context = partial(views.form_context, session, access, fields, _errors(refused))
    return form_error(request, session, "polls/new.html", refused, context)


@router.get("/date-polls/{poll_id}")
def poll_page(request: Request, session: SessionDep, user: CurrentUser, poll_id: Id) -> Response:
    page = views.date_poll_page(session, user=user, poll_id=poll_id)
    return render(request, "polls/date_poll.html", {"p": page, "space": page.access.space.space})


@router.post("/date-polls/{poll_id}/answers")
def answer(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    poll_id: Id,
    form: Annotated[DateAnswersForm, Form()],
) -> Response:
    try:
        dates.answer_date_poll(session, user=user, poll_id=poll_id, answers=form.answers())
    except Invalid as exc:
        return _answers_block(request, session, user, poll_id, refused=exc)
    if not is_htmx(request):
        return RedirectResponse(f"/date-polls/{poll_id}", status_code=303)
    return _answers_block(request, session, user, poll_id)


def _answers_block(
    request: Request, session: SessionDep, user: User, poll_id: int, refused: Invalid | None = None
) -> Response:
    context = partial(_date_poll_block, session, user, poll_id)
    return block_after(request, session, DATE_POLL, context, block="poll", refused=refused)


def _date_poll_block(
    session: SessionDep, user: User, poll_id: int, error: str | None
) -> dict[str, Any]:
    page = views.date_poll_page(session, user=user, poll_id=poll_id)
    return {"p": page, "space": page.access.space.space, "answer_error": error}


@router.post("/date-polls/{poll_id}/event")
def make_event(
    session: SessionDep, user: CurrentUser, poll_id: Id, form: Annotated[PollEventForm, Form()]
) -> Response:
    places = form.capacity.strip()
    if places and not (places.isdigit() and int(places) <= 100_000):
        raise Invalid("Capacity must be a whole number (leave it empty for no limit)")
    event = dates.create_event_from_poll(
        session,
        user=user,
        poll_id=poll_id,
        option_id=form.option_id,
        capacity=int(places) if places else None,
        location=form.location.strip(),
    )
    return RedirectResponse(f"/events/{event.id}", status_code=303)


# --- quick polls in posts -------------------------------------------------------------------


def _quick_poll_fields(form: QuickPollForm, user: User) -> dict[str, Any]:
    """The quick poll composer's fields, as the services take them (a post's or a protocol's)."""
    return {
        "question": form.question,
        "options": form.option_lines(),
        "multiple": form.multiple,
        "anonymous": form.anonymous == "1",
        "results_after_close": form.results == "after_close",
        "closes_at": views.closing_time(form.closes_at, zone=user.time_zone),
    }


def _post_poll_context(
    session: SessionDep, user: User, post_id: int, form: dict[str, Any], errors: dict[str, str]
) -> dict[str, Any]:
    post, access = load_post(session, user=user, post_id=post_id)
    return {"post": post, "space": access.space, "form": form, "errors": errors}


@router.get("/posts/{post_id}/poll/new")
def new_quick_poll(
    request: Request, session: SessionDep, user: CurrentUser, post_id: Id
) -> Response:
    context = _post_poll_context(session, user, post_id, {}, {})
    return render(request, "polls/quick_new.html", context)


@router.post("/posts/{post_id}/poll")
def add_quick_poll(
    request: Request, session: SessionDep, user: CurrentUser, post_id: Id, form: QuickPollFields
) -> Response:
    try:
        quick.create_poll(session, user=user, post_id=post_id, **_quick_poll_fields(form, user))
    except Invalid as exc:
        errors = _errors(exc)
        context = partial(_post_poll_context, session, user, post_id, form.shown(), errors)
        return form_error(request, session, "polls/quick_new.html", exc, context)
    return RedirectResponse(f"/posts/{post_id}", status_code=303)


@router.get("/polls/{quick_poll_id}")
def quick_poll(
    request: Request, session: SessionDep, user: CurrentUser, quick_poll_id: Id
) -> Response:
    """The poll (loaded into its post's page, or a page of its own without JavaScript)."""
    view = quick.poll_view(session, user=user, poll_id=quick_poll_id)
    return render(request, "polls/quick.html", {"v": view, "space": view.access.space.space})


@router.post("/polls/{quick_poll_id}/vote")
def quick_vote(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    quick_poll_id: Id,
    form: Annotated[QuickVoteForm, Form()],
) -> Response:
    try:
        quick.vote(session, user=user, poll_id=quick_poll_id, option_ids=form.option_ids)
    except (Invalid, Conflict) as exc:
        return _vote_block(request, session, user, quick_poll_id, refused=exc)
    if not is_htmx(request):
        poll = quick.load_poll(session, user=user, poll_id=quick_poll_id).poll
        return RedirectResponse(_place_of(poll), status_code=303)
    return _vote_block(request, session, user, quick_poll_id)


def _vote_block(
    request: Request,
    session: SessionDep,
    user: User,
    poll_id: int,
    refused: Invalid | Conflict | None = None,
) -> Response:
    context = partial(_quick_poll_block, session, user, poll_id)
    return block_after(request, session, QUICK_POLL, context, block="quick_poll", refused=refused)


def _quick_poll_block(
    session: SessionDep, user: User, poll_id: int, error: str | None
) -> dict[str, Any]:
    view = quick.poll_view(session, user=user, poll_id=poll_id)
    return {"v": view, "space": view.access.space.space, "vote_error": error}


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


def _protocol_poll_context(
    session: SessionDep, user: User, protocol_id: int, form: dict[str, Any], errors: dict[str, str]
) -> dict[str, Any]:
    protocol, access = protocol_access(session, user, protocol_id)
    require_edit(protocol, access)
    return {"protocol": protocol, "space": access.space, "form": form, "errors": errors}


@router.get("/protocols/{protocol_id}/polls/new")
def new_protocol_poll(
    request: Request, session: SessionDep, user: CurrentUser, protocol_id: Id
) -> Response:
    context = _protocol_poll_context(session, user, protocol_id, {}, {})
    return render(request, "polls/quick_new.html", context)


@router.post("/protocols/{protocol_id}/polls")
def add_protocol_poll(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    protocol_id: Id,
    form: QuickPollFields,
) -> Response:
    try:
        fields = _quick_poll_fields(form, user)
        in_protocols.create_protocol_poll(session, user=user, protocol_id=protocol_id, **fields)
    except Invalid as exc:
        errors = _errors(exc)
        context = partial(_protocol_poll_context, session, user, protocol_id, form.shown(), errors)
        return form_error(request, session, "polls/quick_new.html", exc, context)
    return RedirectResponse(f"/protocols/{protocol_id}", status_code=303)


@router.post("/polls/{quick_poll_id}/decision")
@writes_in_steps
def record_decision(session: SessionDep, user: CurrentUser, quick_poll_id: Id) -> Response:
    """Close the poll and write its outcome into the protocol's decisions."""
    in_protocols.record_outcome(session, user=user, poll_id=quick_poll_id)
    poll = quick.load_poll(session, user=user, poll_id=quick_poll_id).poll
    return RedirectResponse(f"{_place_of(poll)}?decided={poll.id}", status_code=303)
