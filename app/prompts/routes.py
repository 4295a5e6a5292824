"""Pages for prompts (the library, suggestions, the prompt composer) and scheduled posts."""

from functools import partial
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response

from app.core.errors import Invalid
from app.core.i18n import get_locale
from app.core.security import CurrentUser, SessionDep, csrf_protect
from app.core.transactions import TransactionalRoute
from app.posts.models import Post
from app.prompts import scheduling, views
from app.prompts import service as prompts
from app.prompts.schemas import PromptForm
from app.spaces.access import SpaceAccess, require_moderate, require_read, space_access_by_slug
from app.spaces.service import member_count
from app.web.templates import form_error, render

router = APIRouter(route_class=TransactionalRoute, dependencies=[Depends(csrf_protect)])
COMPOSER = "prompts/prompt_form.html"


@router.get("/spaces/{slug}/prompts")
def library(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    slug: str,
    type: str | None = None,
) -> Response:
    access = require_moderate(space_access_by_slug(session, user, slug))
    context = views.library_page(session, access=access, type=type)
    return render(request, "prompts/prompts.html", context)


@router.get("/spaces/{slug}/prompts/suggestions")
def suggestions(request: Request, session: SessionDep, user: CurrentUser, slug: str) -> Response:
    """Three starter prompts for a host whose space has none yet (loaded into the space page)."""
    access = require_moderate(space_access_by_slug(session, user, slug))
    has_prompts = bool(prompts.prompts_in_space(session, access=access, limit=1))
    return render(
        request,
        "prompts/_prompt_suggestions.html",
        {
            "space": access.space,
            "suggested": [] if has_prompts else prompts.suggested_prompts(session, access=access),
        },
    )


def _composer_context(session: SessionDep, access: SpaceAccess, form: dict) -> dict[str, Any]:
    return {
        "access": access,
        "space": access.space,
        "member_count": member_count(session, access.space.id),
        "form": form,
        "errors": {},
    }


@router.get("/spaces/{slug}/prompts/new")
def new_prompt(
    request: Request, session: SessionDep, user: CurrentUser, slug: str, key: str = ""
) -> Response:
    access = require_moderate(space_access_by_slug(session, user, slug))
    form = PromptForm().shown()
    starter = prompts.library_prompt(key)
    if starter is not None:
        question, context, answer_format = starter.text(get_locale())
        form.update(
            question=question, context=context, answer_format=answer_format, library_key=key
        )
    return render(request, COMPOSER, _composer_context(session, access, form))


@router.post("/spaces/{slug}/prompts")
def create_prompt(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    slug: str,
    form: Annotated[PromptForm, Form()],
) -> Response:
    access = require_moderate(space_access_by_slug(session, user, slug))
    try:
        post = _create(session, access, form)
    except Invalid as exc:
        return _composer_refused(request, session, access, form, exc)
    return RedirectResponse(f"/posts/{post.id}", status_code=303)


def _create(session: SessionDep, access: SpaceAccess, form: PromptForm) -> Post:
    return prompts.create_prompt(
        session,
        access=access,
        question=form.question,
        context=form.context,
        answer_format=form.answer_format,
        library_key=form.library_key,
        publish_at=scheduling.parse_publish_at(form.publish_at),
    )


def _composer_refused(
    request: Request, session: SessionDep, access: SpaceAccess, form: PromptForm, exc: Invalid
) -> Response:
    """The composer again with what was typed, the message beside its field."""
    # The service words the question as the post's title.
    field = "question" if exc.field == "title" else (exc.field or "question")
    context = partial(_composer_context, session, access, form.shown())
    return form_error(request, session, COMPOSER, exc, context, field=field)


@router.get("/spaces/{slug}/scheduled")
def scheduled(request: Request, session: SessionDep, user: CurrentUser, slug: str) -> Response:
    access = require_read(space_access_by_slug(session, user, slug))
    return render(
        request,
        "prompts/scheduled.html",
        {
            "access": access,
            "space": access.space,
            "member_count": member_count(session, access.space.id),
            "posts": scheduling.scheduled_posts(session, access=access),
        },
    )
