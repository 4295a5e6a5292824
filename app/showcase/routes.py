"""Pages for the showcase and suggestions for it."""

from functools import partial
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response

from app.core.errors import Invalid
from app.core.ids import Id
from app.core.security import CurrentUser, SessionDep, csrf_protect
from app.core.transactions import TransactionalRoute
from app.people.models import User
from app.posts.service import load_post
from app.showcase import service as showcase
from app.showcase.schemas import ShowcaseForm
from app.web.templates import form_error, is_htmx, render

router = APIRouter(route_class=TransactionalRoute, dependencies=[Depends(csrf_protect)])
SHOWCASE_FORM = "showcase/showcase_form.html"


@router.get("/showcase")
def showcase_page(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    tag: str | None = None,
    cursor: str | None = None,
) -> Response:
    page = showcase.showcase_page(session, user=user, tag=tag, cursor=cursor)
    context: dict[str, Any] = {"page": page, "tag": tag}
    if cursor and is_htmx(request):
        return render(request, "showcase/showcase.html", context, block="showcase_items")
    context["tags"] = showcase.showcase_tags(session, user=user)
    return render(request, "showcase/showcase.html", context)


def _showcase_context(
    session: SessionDep, user: CurrentUser, post_id: int, form: dict | None = None
) -> dict[str, Any]:
    post, access = load_post(session, user=user, post_id=post_id)
    current = showcase.entry_for_post(session, post_id=post_id)
    if form is None:
        form = {"tags": ", ".join(current[1]) if current else "", "origin": "internal"}
        if current:
            form.update(origin=current[0].origin, external_url=current[0].external_url)
    return {
        "post": post,
        "space": access.space,
        "access": access,
        "entry": current[0] if current else None,
        "form": form,
        "errors": {},
    }


@router.get("/posts/{post_id}/showcase")
def showcase_form(
    request: Request, session: SessionDep, user: CurrentUser, post_id: Id
) -> Response:
    return render(request, SHOWCASE_FORM, _showcase_context(session, user, post_id))


@router.post("/posts/{post_id}/showcase")
def add_to_showcase(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    post_id: Id,
    form: Annotated[ShowcaseForm, Form()],
) -> Response:
    """Moderators put the post in the showcase; everyone else suggests it."""
    _post, access = load_post(session, user=user, post_id=post_id)
    try:
        done = _feature_or_suggest(session, user, post_id, form, moderator=access.can_moderate)
    except Invalid as exc:
        context = partial(_showcase_context, session, user, post_id, form.shown())
        return form_error(request, session, SHOWCASE_FORM, exc, context, field=exc.field or "tags")
    return RedirectResponse(f"/posts/{post_id}?{done}=1", status_code=303)


def _feature_or_suggest(
    session: SessionDep, user: User, post_id: int, form: ShowcaseForm, *, moderator: bool
) -> str:
    """Feature the post (a moderator) or suggest it (anyone else); says which was done."""
    if not moderator:
        showcase.suggest_post(session, user=user, post_id=post_id, note=form.note)
        return "suggested"
    showcase.feature_post(
        session,
        user=user,
        post_id=post_id,
        tags=form.tags,
        origin=form.origin,
        external_url=form.external_url,
    )
    return "showcased"


@router.post("/posts/{post_id}/showcase/remove")
def remove_from_showcase(session: SessionDep, user: CurrentUser, post_id: Id) -> Response:
    showcase.unfeature_post(session, user=user, post_id=post_id)
    return RedirectResponse(f"/posts/{post_id}", status_code=303)


@router.post("/showcase/suggestions/{suggestion_id}/decline")
def decline(session: SessionDep, user: CurrentUser, suggestion_id: Id) -> Response:
    showcase.decline_suggestion(session, user=user, suggestion_id=suggestion_id)
    return RedirectResponse("/moderation?done=declined", status_code=303)
