"""Kudos (form, lists, the thank-you wall) and a person's recognition settings."""

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response

from app.errors import Invalid, NotFound, TooManyRequests
from app.people.models import User
from app.people.service import active_user
from app.posts.service import load_comment, load_post
from app.recognition import kudos as kudos_service
from app.recognition import service
from app.security import CurrentUser, SessionDep, csrf_protect
from app.spaces.access import require_read, space_access_by_slug
from app.web import is_htmx, render

router = APIRouter(dependencies=[Depends(csrf_protect)])


def _kudos_form_context(
    session: SessionDep,
    user: User,
    *,
    to: int | None,
    post_id: int | None,
    comment_id: int | None,
) -> dict[str, Any]:
    """Whom the kudos go to and what they are tied to, checked like the post page checks."""
    target_type, target_id, title, url, space = None, None, None, None, None
    receiver_id = to
    if comment_id is not None:
        comment, post, access = load_comment(session, user=user, comment_id=comment_id)
        target_type, target_id, title, space = "comment", comment.id, post.title, access.space
        url = f"/posts/{post.id}#comment-{comment.id}"
        receiver_id = receiver_id or comment.author_id
    elif post_id is not None:
        post, access = load_post(session, user=user, post_id=post_id)
        target_type, target_id, title, space = "post", post.id, post.title, access.space
        url = f"/posts/{post.id}"
        receiver_id = receiver_id or post.author_id
    if receiver_id is None:
        raise NotFound("Person not found")
    receiver = active_user(session, receiver_id)
    return {
        "receiver": receiver,
        "target_type": target_type,
        "target_id": target_id,
        "target_title": title,
        "target_url": url,
        "target_space": space,
        "left": kudos_service.budget_left(session, giver=user),
        "budget": service.site_settings(session).kudos_monthly_budget,
    }


@router.get("/kudos/new")
def kudos_form(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    to: int | None = None,
    post_id: int | None = None,
    comment_id: int | None = None,
) -> Response:
    context = _kudos_form_context(session, user, to=to, post_id=post_id, comment_id=comment_id)
    return render(request, "recognition/kudos_form.html", context)


@router.post("/kudos")
def give_kudos(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    to: Annotated[int, Form()],
    message: Annotated[str, Form()] = "",
    target_type: Annotated[str | None, Form()] = None,
    target_id: Annotated[int | None, Form()] = None,
) -> Response:
    target_type = target_type or None
    try:
        kudos_service.give_kudos(
            session,
            giver=user,
            receiver_ids=[to],
            message=message,
            target_type=target_type,
            target_id=target_id if target_type else None,
        )
    except (Invalid, TooManyRequests) as exc:
        session.rollback()
        context = _kudos_form_context(
            session,
            user,
            to=to,
            post_id=target_id if target_type == "post" else None,
            comment_id=target_id if target_type == "comment" else None,
        )
        context.update(message=message, error=exc.text())
        # 422 also for a spent budget: the form explains it, and htmx shows 422 answers.
        return render(request, "recognition/kudos_form.html", context, status_code=422)
    receiver = active_user(session, to)
    if is_htmx(request):
        return render(request, "recognition/kudos_form.html", {"sent_to": receiver})
    return RedirectResponse(f"/people/{to}#kudos", status_code=303)


@router.get("/people/{person_id}/kudos")
def person_kudos(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    person_id: int,
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
    session: SessionDep,
    user: CurrentUser,
    hide_badges: Annotated[bool, Form()] = False,
    kudos_in_space: Annotated[bool, Form()] = False,
) -> Response:
    service.update_preferences(
        session, user=user, hide_badges=hide_badges, kudos_in_space=kudos_in_space
    )
    return RedirectResponse("/settings/recognition?saved=1", status_code=303)
