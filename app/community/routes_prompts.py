"""Pages for prompts (the library, suggestions, the prompt composer) and scheduled posts."""

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response

from app.community import prompts, scheduling
from app.community.prompt_library import SPACE_TYPES, prompts_for
from app.errors import Invalid
from app.i18n import get_locale
from app.security import CurrentUser, SessionDep, csrf_protect
from app.spaces.access import require_moderate, require_read, space_access_by_slug
from app.spaces.service import member_count
from app.transactions import TransactionalRoute
from app.web import render

router = APIRouter(route_class=TransactionalRoute, dependencies=[Depends(csrf_protect)])


@router.get("/spaces/{slug}/prompts")
def library(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    slug: str,
    type: str | None = None,
) -> Response:
    access = require_moderate(space_access_by_slug(session, user, slug))
    space_type = prompts.space_type_of(access, type)
    used = prompts.used_library_keys(session, access=access)
    return render(
        request,
        "community/prompts.html",
        {
            "access": access,
            "space": access.space,
            "member_count": member_count(session, access.space.id),
            "space_type": space_type,
            "space_types": SPACE_TYPES,
            "library": prompts_for(space_type),
            "used": used,
            "locale": get_locale(),
            "posted": prompts.prompts_in_space(session, access=access),
        },
    )


@router.get("/spaces/{slug}/prompts/suggestions")
def suggestions(request: Request, session: SessionDep, user: CurrentUser, slug: str) -> Response:
    """Three starter prompts for a host whose space has none yet (loaded into the space page)."""
    access = require_moderate(space_access_by_slug(session, user, slug))
    has_prompts = bool(prompts.prompts_in_space(session, access=access, limit=1))
    return render(
        request,
        "community/_prompt_suggestions.html",
        {
            "space": access.space,
            "suggested": [] if has_prompts else prompts.suggested_prompts(session, access=access),
        },
    )


def _composer(
    request: Request,
    session: SessionDep,
    access,
    form: dict,
    errors: dict | None = None,
    status_code: int = 200,
) -> Response:
    return render(
        request,
        "community/prompt_form.html",
        {
            "access": access,
            "space": access.space,
            "member_count": member_count(session, access.space.id),
            "form": form,
            "errors": errors or {},
        },
        status_code=status_code,
    )


@router.get("/spaces/{slug}/prompts/new")
def new_prompt(
    request: Request, session: SessionDep, user: CurrentUser, slug: str, key: str = ""
) -> Response:
    access = require_moderate(space_access_by_slug(session, user, slug))
    form = {"question": "", "context": "", "answer_format": "", "library_key": "", "publish_at": ""}
    starter = prompts.library_prompt(key)
    if starter is not None:
        question, context, answer_format = starter.text(get_locale())
        form.update(
            question=question, context=context, answer_format=answer_format, library_key=key
        )
    return _composer(request, session, access, form)


@router.post("/spaces/{slug}/prompts")
def create_prompt(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    slug: str,
    question: Annotated[str, Form()] = "",
    context: Annotated[str, Form()] = "",
    answer_format: Annotated[str, Form()] = "",
    library_key: Annotated[str, Form()] = "",
    publish_at: Annotated[str, Form()] = "",
) -> Response:
    access = require_moderate(space_access_by_slug(session, user, slug))
    form = {
        "question": question,
        "context": context,
        "answer_format": answer_format,
        "library_key": library_key,
        "publish_at": publish_at,
    }
    try:
        post = prompts.create_prompt(
            session,
            access=access,
            question=question,
            context=context,
            answer_format=answer_format,
            library_key=library_key,
            publish_at=scheduling.parse_publish_at(publish_at),
        )
    except Invalid as exc:
        session.rollback()
        field = "question" if exc.field == "title" else (exc.field or "question")
        return _composer(request, session, access, form, {field: exc.text()}, 422)
    return RedirectResponse(f"/posts/{post.id}", status_code=303)


@router.get("/spaces/{slug}/scheduled")
def scheduled(request: Request, session: SessionDep, user: CurrentUser, slug: str) -> Response:
    access = require_read(space_access_by_slug(session, user, slug))
    return render(
        request,
        "community/scheduled.html",
        {
            "access": access,
            "space": access.space,
            "member_count": member_count(session, access.space.id),
            "posts": scheduling.scheduled_posts(session, access=access),
        },
    )
