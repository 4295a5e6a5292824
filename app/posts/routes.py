"""Post pages, composing, comments, reactions and pins (the home page is app.home)."""

from datetime import UTC, datetime
from functools import partial
from typing import Annotated, Any, TypedDict

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import RedirectResponse, Response
from sqlmodel import Session

from app.core.db import utcnow
from app.core.errors import Invalid
from app.core.ids import Id
from app.core.pagination import Cursor
from app.core.security import CurrentUser, SessionDep, csrf_protect
from app.core.transactions import TransactionalRoute
from app.people.models import User
from app.polls.quick import poll_id_of_post
from app.posts import service, streams
from app.posts.history import post_history
from app.posts.models import Comment, Post, ReactionKind
from app.posts.page import read_post_page
from app.posts.publish_times import parse_publish_at
from app.posts.schemas import CommentForm, NewPostForm, PostForm
from app.recognition import service as recognition
from app.spaces.access import SpaceAccess, space_access_by_slug
from app.spaces.models import Space
from app.spaces.service import member_count
from app.uploads.forms import FormFiles, attach_form_files
from app.web.templates import form_error, is_htmx, render

router = APIRouter(route_class=TransactionalRoute, dependencies=[Depends(csrf_protect)])

EDIT_COMMENT = "posts/comment_edit.html"


def _error_field(exc: Invalid) -> str:
    """Where a comment form shows its message: beside the file field, or the text."""
    return "attachment" if exc.field == "attachment" else "body"


class _PostInput(TypedDict):
    title: str
    body: str
    publish_at: datetime | None


def _post_input(session: Session, user: User, form: PostForm, files: FormFiles) -> _PostInput:
    """What the service takes from a post form: the text with its files, the publish time."""
    body = attach_form_files(session, user=user, body=form.body, files=files)
    return {"title": form.title, "body": body, "publish_at": parse_publish_at(form.publish_at)}


@router.post("/spaces/{slug}/posts")
def create_post(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    slug: str,
    form: Annotated[NewPostForm, Form()],
    attachment: FormFiles = None,
) -> Response:
    access = space_access_by_slug(session, user, slug)
    try:
        fields = _post_input(session, user, form, attachment)
        post = service.create_post(session, access=access, kind=form.kind, **fields)
    except Invalid as exc:
        return _post_refused(request, session, access, form, exc)
    return RedirectResponse(f"/spaces/{slug}" if is_htmx(request) else f"/posts/{post.id}", 303)


def _post_refused(
    request: Request, session: Session, access: SpaceAccess, form: NewPostForm, exc: Invalid
) -> Response:
    """A refused post: the composer keeps what was typed (the files are rolled back with the
    rest); htmx gets the composer alone, a plain form post the whole space page around it."""

    def composer() -> dict[str, Any]:
        count = member_count(session, access.space.id)
        return {
            "space": access.space,
            "access": access,
            "member_count": count,
            "form": form.shown(),
        }

    if is_htmx(request):
        return form_error(request, session, "posts/composer.html", exc, composer, block="composer")

    def space_page() -> dict[str, Any]:
        return {
            **composer(),
            "page": streams.space_stream(session, access=access),
            "pinned": streams.pinned_posts(session, access=access),
        }

    return form_error(request, session, "spaces/page.html", exc, space_page)


@router.get("/stream/news")
def stream_news(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    since: Annotated[str, Query(max_length=200)],
    space: Annotated[str | None, Query(max_length=200)] = None,
) -> Response:
    """The "3 new posts — show them" above a stream (home, or a space's), asked when the page's
    live stream says a post was written; it never moves the posts the reader is looking at."""
    after = Cursor.required(since)
    access = space_access_by_slug(session, user, space) if space else None
    count = streams.new_posts_count(session, user=user, since=after, space=access)
    return render(
        request,
        "posts/_stream_news.html",
        {"news_since": since, "news_space": access.space if access else None, "news": count},
    )


def _post_context(
    session: SessionDep, user: CurrentUser, post_id: Id, cursor: str | None = None
) -> dict:
    # Before the comments are read: an edit in between is shown again (harmless), never missed.
    live_since = f"{utcnow().timestamp():.6f}"
    page = read_post_page(session, user=user, post_id=post_id)
    card, access = page.card, page.access
    comments = streams.comments_page(session, user=user, post=card.post, cursor=cursor)
    return {
        "card": card,
        "access": access,
        # One more query for every post page: whether a poll sits in it (loaded by its own request).
        "poll_id": poll_id_of_post(session, card.post.id) if cursor is None else None,
        "comments": comments,
        "live_cursor": streams.live_comments_cursor(comments, cursor),
        "live_since": live_since,
        "space": access.space,
        "member_count": page.member_count,
        "comment_marks": recognition.attach_marks(
            session,
            [card],
            more_people=[c.author_id for c, _a in comments.items],
            space_id=access.space.id,
        ),
    }


@router.get("/posts/{post_id}")
def post_page(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    post_id: Id,
    cursor: str | None = None,
    since: Annotated[float | None, Query(ge=0, le=32503680000)] = None,
) -> Response:
    context = _post_context(session, user, post_id, cursor)
    if cursor:
        return _later_comments(request, session, user, context, since)
    return render(request, "posts/page.html", context)


def _later_comments(
    request: Request, session: Session, user: User, context: dict[str, Any], since: float | None
) -> Response:
    """A later page of comments, or those written since (the live watcher asks with its cursor,
    and with `since`: the comments edited, deleted or hidden meanwhile are shown anew)."""
    fragment = is_htmx(request)
    if fragment and since is not None:
        post = context["card"].post
        edited, gone = streams.changed_comments(
            session, user=user, post=post, since=datetime.fromtimestamp(since, UTC)
        )
        context.update(changed_comments=edited, gone_comment_ids=gone)
    return render(
        request,
        "posts/page.html",
        {**context, "count_out_of_band": fragment},
        block="comment_items" if fragment else None,
    )


@router.get("/posts/{post_id}/history")
def post_history_page(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    post_id: Id,
    before: Annotated[int | None, Query(ge=1)] = None,
) -> Response:
    history = post_history(session, user=user, post_id=post_id, before=before)
    return render(request, "posts/history.html", {"history": history})


def _edit_context(
    session: Session, user: User, post_id: int, typed: dict[str, Any] | None = None
) -> dict[str, Any]:
    """A post's edit form: what is stored, or what was typed."""
    post, access = service.load_post(session, user=user, post_id=post_id)
    return {
        "post": post,
        "space": access.space,
        "form": typed if typed is not None else post,
        "access": access,
        "member_count": member_count(session, access.space.id),
    }


@router.get("/posts/{post_id}/edit")
def edit_post(request: Request, session: SessionDep, user: CurrentUser, post_id: Id) -> Response:
    return render(request, "posts/edit.html", _edit_context(session, user, post_id))


@router.post("/posts/{post_id}/edit")
def save_post(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    post_id: Id,
    form: Annotated[PostForm, Form()],
    attachment: FormFiles = None,
) -> Response:
    try:
        fields = _post_input(session, user, form, attachment)
        service.update_post(session, user=user, post_id=post_id, **fields)
    except Invalid as exc:
        context = partial(_edit_context, session, user, post_id, form.shown())
        return form_error(request, session, "posts/edit.html", exc, context)
    return RedirectResponse(f"/posts/{post_id}", status_code=303)


@router.post("/posts/{post_id}/delete")
def delete_post(session: SessionDep, user: CurrentUser, post_id: Id) -> Response:
    post = service.delete_post(session, user=user, post_id=post_id)
    space = session.get(Space, post.space_id)
    return RedirectResponse(f"/spaces/{space.slug}" if space else "/", status_code=303)


@router.post("/posts/{post_id}/pin")
def pin_post(
    session: SessionDep, user: CurrentUser, post_id: Id, pinned: Annotated[bool, Form()] = True
) -> Response:
    service.set_pinned(session, user=user, post_id=post_id, pinned=pinned)
    return RedirectResponse(f"/posts/{post_id}", status_code=303)


@router.post("/posts/{post_id}/reactions")
def toggle_reaction(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    post_id: Id,
    kind: Annotated[str, Form()] = "",
) -> Response:
    if kind not in ReactionKind.__members__:
        raise Invalid("Unknown reaction")
    post, access = service.load_post(session, user=user, post_id=post_id)
    mine = streams.post_card(session, user=user, post=post, space=access.space).my_reactions
    service.react(session, user=user, post_id=post_id, kind=kind, on=kind not in mine)
    return _reactions_after(request, session, user, post, access)


def _reactions_after(
    request: Request, session: Session, user: User, post: Post, access: SpaceAccess
) -> Response:
    """htmx gets the post's reaction bar with the new counts; a plain form goes to the post."""
    if not is_htmx(request):
        return RedirectResponse(f"/posts/{post.id}", status_code=303)
    card = streams.post_card(session, user=user, post=post, space=access.space)
    return render(request, "posts/_reactions.html", {"card": card})


def _reply_context(session: SessionDep, user: CurrentUser, comment_id: int) -> dict[str, Any]:
    parent, post, access = service.load_comment(session, user=user, comment_id=comment_id)
    author = session.get(User, parent.author_id) if parent.author_id else None
    return {"parent": parent, "parent_author": author, "post": post, "space": access.space}


@router.get("/comments/{comment_id}/reply")
def reply_form(
    request: Request, session: SessionDep, user: CurrentUser, comment_id: Id
) -> Response:
    """The reply form: under the comment (htmx), or a page of its own without JavaScript."""
    context = _reply_context(session, user, comment_id)
    block = "reply_form" if is_htmx(request) else None
    return render(request, "posts/comment_reply.html", context, block=block)


@router.post("/posts/{post_id}/comments")
def add_comment(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    post_id: Id,
    form: Annotated[CommentForm, Form()],
    attachment: FormFiles = None,
) -> Response:
    try:
        comment = _add_comment(session, user, post_id, form, attachment)
    except Invalid as exc:
        return _comment_refused(request, session, user, post_id, form, exc)
    return _comment_added(request, session, user, comment)


def _add_comment(
    session: Session, user: User, post_id: int, form: CommentForm, files: FormFiles
) -> Comment:
    """The comment or reply, with its files attached (kept only if the comment is)."""
    text = attach_form_files(session, user=user, body=form.body, files=files)
    return service.add_comment(
        session, user=user, post_id=post_id, body=text, parent_id=form.parent_id
    )


def _comment_added(request: Request, session: Session, user: User, comment: Comment) -> Response:
    """htmx gets the new comment and the post's new count; a plain form goes to the comment."""
    if not is_htmx(request):
        return RedirectResponse(f"/posts/{comment.post_id}#comment-{comment.id}", status_code=303)
    post, _access = service.load_post(session, user=user, post_id=comment.post_id)
    session.refresh(post, ["comment_count"])  # the count was raised by an UPDATE statement
    return render(
        request,
        "posts/_comment_created.html",
        {"comment": comment, "author": user, "card": None, "comment_count": post.comment_count},
    )


def _comment_refused(
    request: Request, session: SessionDep, user: User, post_id: int, form: CommentForm, exc: Invalid
) -> Response:
    """A refused comment: the post's page with the form's message, or (htmx) the form alone,
    swapped over itself instead of into the comment list it posts to. A refused reply (for
    another reason than its parent) is the reply's form again."""
    if form.parent_id is not None and exc.field != "parent_id":
        return _reply_refused(request, session, user, form, exc)

    def context() -> dict[str, Any]:
        return {**_post_context(session, user, post_id), "comment_form": {"body": form.body}}

    htmx = is_htmx(request)
    return form_error(
        request,
        session,
        "posts/page.html",
        exc,
        context,
        field=_error_field(exc),
        block="comment_form" if htmx else None,
        headers={"HX-Retarget": "#comment-form", "HX-Reswap": "outerHTML"} if htmx else None,
    )


def _reply_refused(
    request: Request, session: SessionDep, user: User, form: CommentForm, exc: Invalid
) -> Response:
    """A refused reply: its form again, with the message, under its comment or as a page."""
    parent_id = form.parent_id or 0

    def context() -> dict[str, Any]:
        return {**_reply_context(session, user, parent_id), "form": {"body": form.body}}

    htmx = is_htmx(request)
    swap = {"HX-Retarget": f"#reply-slot-{parent_id}", "HX-Reswap": "innerHTML"}
    return form_error(
        request,
        session,
        "posts/comment_reply.html",
        exc,
        context,
        field="body",
        block="reply_form" if htmx else None,
        headers=swap if htmx else None,
    )


@router.get("/comments/{comment_id}/edit")
def edit_comment(
    request: Request, session: SessionDep, user: CurrentUser, comment_id: Id
) -> Response:
    context = _comment_edit_context(session, user, comment_id)
    return render(request, EDIT_COMMENT, context)


def _comment_edit_context(
    session: SessionDep, user: User, comment_id: int, typed: dict[str, str] | None = None
) -> dict[str, Any]:
    """A comment's edit form: what is stored, or what was typed."""
    comment, post, _access = service.load_comment(session, user=user, comment_id=comment_id)
    return {"comment": comment, "post": post, "form": typed if typed is not None else comment}


@router.post("/comments/{comment_id}/edit")
def save_comment(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    comment_id: Id,
    form: Annotated[CommentForm, Form()],
    attachment: FormFiles = None,
) -> Response:
    try:
        text = attach_form_files(session, user=user, body=form.body, files=attachment)
        comment = service.update_comment(session, user=user, comment_id=comment_id, body=text)
    except Invalid as exc:
        context = partial(_comment_edit_context, session, user, comment_id, {"body": form.body})
        return form_error(request, session, EDIT_COMMENT, exc, context, field=_error_field(exc))
    return RedirectResponse(f"/posts/{comment.post_id}#comment-{comment.id}", status_code=303)


@router.post("/comments/{comment_id}/delete")
def delete_comment(session: SessionDep, user: CurrentUser, comment_id: Id) -> Response:
    comment = service.delete_comment(session, user=user, comment_id=comment_id)
    return RedirectResponse(f"/posts/{comment.post_id}", status_code=303)
