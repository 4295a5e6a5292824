"""Pages for flagging, the review queue and moderators' decisions."""

from functools import partial
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import RedirectResponse, Response

from app.core.errors import Invalid
from app.core.ids import Id
from app.core.pagination import Cursor
from app.core.security import CurrentUser, SessionDep, csrf_protect
from app.core.transactions import TransactionalRoute
from app.moderation import review
from app.moderation import service as moderation
from app.moderation.schemas import REASONS, DecisionForm, FlagForm
from app.people.models import User
from app.posts.service import load_comment, load_post
from app.posts.streams import news_since
from app.showcase import service as showcase
from app.spaces.access import require_moderate, space_access_by_slug
from app.web.templates import form_error, is_htmx, render

router = APIRouter(route_class=TransactionalRoute, dependencies=[Depends(csrf_protect)])

FLAG_PAGE = "moderation/flag.html"


def _flag_page(request: Request, context: dict) -> Response:
    return render(request, FLAG_PAGE, {**context, "reasons": REASONS})


def _flag_context(post: Any, space: Any, comment: Any, form: FlagForm) -> dict[str, Any]:
    """The flag form again, keeping what the person wrote."""
    typed = form.shown()
    return {"post": post, "space": space, "comment": comment, "form": typed, "reasons": REASONS}


def _post_flag_context(
    session: SessionDep, user: User, post_id: int, form: FlagForm
) -> dict[str, Any]:
    post, access = load_post(session, user=user, post_id=post_id)
    return _flag_context(post, access.space, None, form)


def _comment_flag_context(
    session: SessionDep, user: User, comment_id: int, form: FlagForm
) -> dict[str, Any]:
    comment, post, access = load_comment(session, user=user, comment_id=comment_id)
    return _flag_context(post, access.space, comment, form)


@router.get("/posts/{post_id}/flag")
def flag_post_form(
    request: Request, session: SessionDep, user: CurrentUser, post_id: Id
) -> Response:
    post, access = load_post(session, user=user, post_id=post_id)
    return _flag_page(request, {"post": post, "space": access.space, "comment": None})


@router.post("/posts/{post_id}/flag")
def flag_post(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    post_id: Id,
    form: Annotated[FlagForm, Form()],
) -> Response:
    try:
        moderation.flag_post(session, user=user, post_id=post_id, reason=form.reason_text())
    except Invalid as exc:
        context = partial(_post_flag_context, session, user, post_id, form)
        return form_error(request, session, FLAG_PAGE, exc, context, field=exc.field or "reason")
    return RedirectResponse(f"/posts/{post_id}?flagged=1", status_code=303)


@router.get("/comments/{comment_id}/flag")
def flag_comment_form(
    request: Request, session: SessionDep, user: CurrentUser, comment_id: Id
) -> Response:
    comment, post, access = load_comment(session, user=user, comment_id=comment_id)
    return _flag_page(request, {"post": post, "space": access.space, "comment": comment})


@router.post("/comments/{comment_id}/flag")
def flag_comment(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    comment_id: Id,
    form: Annotated[FlagForm, Form()],
) -> Response:
    try:
        moderation.flag_comment(
            session, user=user, comment_id=comment_id, reason=form.reason_text()
        )
    except Invalid as exc:
        context = partial(_comment_flag_context, session, user, comment_id, form)
        return form_error(request, session, FLAG_PAGE, exc, context, field=exc.field or "reason")
    return _back_to_comment(session, user, comment_id)


def _back_to_comment(session: SessionDep, user: User, comment_id: int) -> Response:
    comment, post, _access = load_comment(session, user=user, comment_id=comment_id)
    return RedirectResponse(f"/posts/{post.id}?flagged=1#comment-{comment.id}", status_code=303)


def _moderated_space_id(session: SessionDep, user: User, slug: str | None) -> int | None:
    """The space the queue is narrowed to (its moderators only), or None for all of theirs."""
    if not slug:
        return None
    return require_moderate(space_access_by_slug(session, user, slug)).space.id


@router.get("/moderation")
def queue(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    space: str | None = None,
    cursor: str | None = None,
) -> Response:
    context = _queue_context(session, user, space, cursor)
    context["done"] = request.query_params.get("done")
    block = "queue_items" if cursor and is_htmx(request) else None
    return render(request, "moderation/queue.html", context, block=block)


def _queue_context(
    session: SessionDep, user: User, slug: str | None, cursor: str | None
) -> dict[str, Any]:
    """The flags to review (in one space, or in all the moderator's); the first page also has
    the showcase suggestions."""
    space_id = _moderated_space_id(session, user, slug)
    page = review.review_queue(session, user=user, space_id=space_id, cursor=cursor)
    return {
        "page": page,
        "space_slug": slug,
        "suggestions": [] if cursor else showcase.open_suggestions(session, user=user),
        "news_since": news_since(),
    }


@router.get("/moderation/news")
def queue_news(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    since: Annotated[str, Query(max_length=200)],
    space: str | None = None,
) -> Response:
    """The "2 new flags — show them" above the queue, asked when the page's live stream says a
    flag was raised; the cases the moderator is working on stay where they are."""
    after = Cursor.required(since)
    space_id = _moderated_space_id(session, user, space)
    count = review.new_flags_count(session, user=user, since=after, space_id=space_id)
    context = {"news_since": since, "space_slug": space, "news": count}
    return render(request, "moderation/_queue_news.html", context)


@router.post("/moderation/flags/{flag_id}")
def act(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    flag_id: Id,
    form: Annotated[DecisionForm, Form()],
) -> Response:
    action = form.action
    moderation.act_on_flag(session, user=user, flag_id=flag_id, action=action, note=form.note)
    # Back to the queue or a post's decisions page; never anywhere else (no open redirect).
    target = form.back if form.back.startswith(("/moderation", "/posts/")) else "/moderation"
    separator = "&" if "?" in target else "?"
    return RedirectResponse(f"{target}{separator}done={action}", status_code=303)


@router.get("/posts/{post_id}/moderation")
def notes(request: Request, session: SessionDep, user: CurrentUser, post_id: Id) -> Response:
    post, access, items = review.moderation_notes(session, user=user, post_id=post_id)
    return render(
        request,
        "moderation/notes.html",
        {"post": post, "notes": items, "space": access.space, "access": access},
    )
