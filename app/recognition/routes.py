"""Kudos (form, lists, the thank-you wall) and a person's recognition settings."""

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response

from app.core.errors import DomainError, Invalid, NotFound, TooManyRequests
from app.core.ids import Id, OptionalIdQuery
from app.core.security import CurrentUser, SessionDep, csrf_protect
from app.core.transactions import TransactionalRoute
from app.people.models import User
from app.people.service import active_user
from app.recognition import kudos as kudos_service
from app.recognition import service
from app.recognition.kudos_targets import TARGETS, load_target
from app.recognition.models import Kudos
from app.recognition.schemas import KudosForm, PreferencesForm, Whom
from app.spaces.access import require_read, space_access_by_slug
from app.web.templates import form_error, is_htmx, render

router = APIRouter(route_class=TransactionalRoute, dependencies=[Depends(csrf_protect)])


def _kudos_form_context(
    session: SessionDep,
    user: User,
    *,
    to: int | None,
    target_type: str | None,
    target_id: int | None,
) -> dict[str, Any]:
    """Whom the kudos go to and what they are tied to, checked like the target's page checks.

    Without `to`, the target's authors are thanked: all co-authors of a protocol but the giver.
    """
    target = None
    if target_type in TARGETS and target_id is not None:
        target = load_target(session, user, target_type, target_id)
    if to is not None:
        receivers = [active_user(session, to)]
    elif target is not None:
        receivers = kudos_service.authors_to_thank(session, giver=user, target=target)
        if not receivers and target_type != "protocol":
            raise NotFound("Person not found")
    else:
        raise NotFound("Person not found")
    return {
        "receiver": receivers[0] if to is not None or target_type != "protocol" else None,
        "receivers": receivers,
        "target_type": target_type if target else None,
        "target_id": target_id if target else None,
        "target_title": target.title if target else None,
        "target_url": target.url if target else None,
        "target_space": target.space if target else None,
        "left": kudos_service.budget_left(session, giver=user),
        "budget": service.site_settings(session).kudos_monthly_budget,
    }


@router.get("/kudos/new")
def kudos_form(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    to: OptionalIdQuery = None,
    post_id: OptionalIdQuery = None,
    comment_id: OptionalIdQuery = None,
    protocol_id: OptionalIdQuery = None,
) -> Response:
    """The kudos form: for a person, a post's or comment's author, or a protocol's co-authors."""
    target_type, target_id = _tied_to(comment=comment_id, post=post_id, protocol=protocol_id)
    context = _kudos_form_context(
        session, user, to=to, target_type=target_type, target_id=target_id
    )
    return render(request, "recognition/kudos_form.html", context)


def _tied_to(**ids: int | None) -> tuple[str | None, int | None]:
    """What the kudos are for: the first of the ids given, in the order named."""
    for kind, value in ids.items():
        if value is not None:
            return kind, value
    return None, None


@router.post("/kudos")
def give_kudos(
    request: Request, session: SessionDep, user: CurrentUser, form: Annotated[KudosForm, Form()]
) -> Response:
    whom = form.whom()
    try:
        rows = kudos_service.give_kudos(session, giver=user, message=form.message, **whom)
    except (Invalid, TooManyRequests) as exc:
        # 422 also for a spent budget: the form explains it, and htmx shows 422 answers.
        return _kudos_refused(request, session, user, form, exc)
    return _kudos_given(request, session, user, rows, whom)


def _kudos_given(
    request: Request, session: SessionDep, user: User, rows: list[Kudos], whom: Whom
) -> Response:
    """htmx gets the thanks in place; a plain form goes to the one person thanked, or back to
    what the kudos were for."""
    thanked = kudos_service.people(session, [row.receiver_id for row in rows])
    if is_htmx(request):
        return render(request, "recognition/kudos_form.html", {"sent_to": thanked})
    if len(thanked) == 1:
        return RedirectResponse(f"/people/{thanked[0].id}#kudos", status_code=303)
    target_type, target_id = whom["target_type"], whom["target_id"]
    assert target_type is not None
    url = load_target(session, user, target_type, target_id).url  # type: ignore[arg-type]
    return RedirectResponse(f"{url}?thanked={len(thanked)}", status_code=303)


def _kudos_refused(
    request: Request, session: SessionDep, user: User, form: KudosForm, exc: DomainError
) -> Response:
    """The kudos form again with the message and what was written; nothing is given."""
    error = exc.text()

    def context() -> dict[str, Any]:
        whom = _kudos_form_context(
            session,
            user,
            to=form.to,
            target_type=form.target_type or None,
            target_id=form.target_id,
        )
        return {**whom, "message": form.message, "error": error}

    return form_error(request, session, "recognition/kudos_form.html", exc, context)


@router.get("/people/{person_id}/kudos")
def person_kudos(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    person_id: Id,
    cursor: str | None = None,
) -> Response:
    person = active_user(session, person_id)
    page = kudos_service.kudos_received(session, viewer=user, person=person, cursor=cursor)
    return render(request, "recognition/kudos_list.html", {"person": person, "page": page})


@router.get("/spaces/{slug}/thanks")
def thank_you_wall(
    request: Request, session: SessionDep, user: CurrentUser, slug: str, cursor: str | None = None
) -> Response:
    """A space's thank-you wall: kudos in the order given, never a ranking of people."""
    if not service.site_settings(session).thank_you_wall:
        raise NotFound("Not found")
    access = require_read(space_access_by_slug(session, user, slug))
    page = kudos_service.kudos_in_space(session, access=access, cursor=cursor)
    return render(
        request, "recognition/wall.html", {"space": access.space, "access": access, "page": page}
    )


@router.get("/settings/recognition")
def settings_page(request: Request, session: SessionDep, user: CurrentUser) -> Response:
    prefs = service.preferences(session, user_id=user.id)  # type: ignore[arg-type]
    return render(request, "recognition/settings.html", {"prefs": prefs})


@router.post("/settings/recognition")
def save_settings(
    session: SessionDep, user: CurrentUser, form: Annotated[PreferencesForm, Form()]
) -> Response:
    service.update_preferences(session, user=user, **form.shown())
    return RedirectResponse("/settings/recognition?saved=1", status_code=303)
