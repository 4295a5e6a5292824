"""Post pages, composing, comments, reactions and pins (the home page is app.home)."""

from typing import Annotated, Any

from fastapi import APIRouter, Depends, File, Form, Query, Request, UploadFile
from fastapi.responses import RedirectResponse, Response

from app.core.ids import Id
from app.errors import Invalid
from app.pagination import Cursor
from app.polls.quick import poll_id_of_post
from app.posts import service, streams
from app.posts.history import post_history
from app.posts.models import ReactionKind
from app.posts.publish_times import parse_publish_at
from app.posts.schemas import NewPostForm, PostForm
from app.recognition import service as recognition
from app.security import CurrentUser, SessionDep, csrf_protect
from app.spaces.access import space_access_by_slug
from app.spaces.models import Space
from app.spaces.service import member_count
from app.transactions import TransactionalRoute
from app.uploads.forms import attach_form_files
from app.web import form_error, is_htmx, render

router = APIRouter(route_class=TransactionalRoute, dependencies=[Depends(csrf_protect)])


@router.post("/spaces/{slug}/posts")
def create_post(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    slug: str,
    form: Annotated[NewPostForm, Form()],
    # A browser sends an empty file field as an empty text part.
    attachment: Annotated[list[UploadFile | str] | None, File()] = None,
) -> Response:
    access = space_access_by_slug(session, user, slug)
    # What the composer shows again on an error: the body with the links to files already stored.
    body = form.body
    try:
        body = attach_form_files(session, user=user, body=body, files=attachment)
        post = service.create_post(
            session,
            access=access,
            title=form.title,
            body=body,
            kind=form.kind,
            publish_at=parse_publish_at(form.publish_at),
        )
    except Invalid as exc:
        shown = {**form.shown(), "body": body}

        def composer() -> dict[str, Any]:
            count = member_count(session, access.space.id)
            return {"space": access.space, "access": access, "member_count": count, "form": shown}

        if is_htmx(request):
            return form_error(
                request, session, "posts/composer.html", exc, composer, block="composer"
            )

        # A plain form post gets the whole space page back, the composer keeping what was typed.
        def space_page() -> dict[str, Any]:
            return {
                **composer(),
                "page": streams.space_stream(session, access=access),
                "pinned": streams.pinned_posts(session, access=access),
            }

        return form_error(request, session, "spaces/page.html", exc, space_page)
    return RedirectResponse(
        f"/posts/{post.id}" if not is_htmx(request) else f"/spaces/{slug}", status_code=303
    )


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
    post, access = service.load_post(session, user=user, post_id=post_id)
    card = streams.post_card(session, user=user, post=post, space=access.space)
    comments = streams.comments_page(session, user=user, post=post, cursor=cursor)
    return {
        "card": card,
        "access": access,
        # One more query for every post page: whether a poll sits in it (loaded by its own request).
        "poll_id": poll_id_of_post(session, post.id) if cursor is None else None,  # type: ignore[arg-type]
        "comments": comments,
        "live_cursor": streams.live_comments_cursor(comments, cursor),
        "space": access.space,
        "member_count": member_count(session, access.space.id),
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
) -> Response:
    context = _post_context(session, user, post_id, cursor)
    if cursor:
        # A later page, or the comments written since (the live watcher asks with its cursor).
        fragment = is_htmx(request)
        return render(
            request,
            "posts/page.html",
            {**context, "count_out_of_band": fragment},
            block="comment_items" if fragment else None,
        )
    return render(request, "posts/page.html", context)


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


@router.get("/posts/{post_id}/edit")
def edit_post(request: Request, session: SessionDep, user: CurrentUser, post_id: Id) -> Response:
    post, access = service.load_post(session, user=user, post_id=post_id)
    return render(
        request,
        "posts/edit.html",
        {
            "post": post,
            "space": access.space,
            "form": post,
            "access": access,
            "member_count": member_count(session, access.space.id),
        },
    )


@router.post("/posts/{post_id}/edit")
def save_post(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    post_id: Id,
    form: Annotated[PostForm, Form()],
) -> Response:
    try:
        service.update_post(
            session,
            user=user,
            post_id=post_id,
            title=form.title,
            body=form.body,
            publish_at=parse_publish_at(form.publish_at),
        )
    except Invalid as exc:

        def context() -> dict[str, Any]:
            post, access = service.load_post(session, user=user, post_id=post_id)
            return {
                "post": post,
                "space": access.space,
                "access": access,
                "member_count": member_count(session, access.space.id),
                "form": form.shown(),
            }

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
    card = streams.post_card(session, user=user, post=post, space=access.space)
    on = kind not in card.my_reactions
    service.react(session, user=user, post_id=post_id, kind=kind, on=on)
    if is_htmx(request):
        card = streams.post_card(session, user=user, post=post, space=access.space)
        return render(request, "posts/_reactions.html", {"card": card})
    return RedirectResponse(f"/posts/{post_id}", status_code=303)


@router.post("/posts/{post_id}/comments")
def add_comment(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    post_id: Id,
    body: Annotated[str, Form()] = "",
) -> Response:
    try:
        comment = service.add_comment(session, user=user, post_id=post_id, body=body)
    except Invalid as exc:

        def context() -> dict[str, Any]:
            return {**_post_context(session, user, post_id), "comment_form": {"body": body}}

        if not is_htmx(request):
            return form_error(request, session, "posts/page.html", exc, context, field="body")
        # The form posts into the comment list; its error answer replaces the form instead.
        return form_error(
            request,
            session,
            "posts/page.html",
            exc,
            context,
            field="body",
            block="comment_form",
            headers={"HX-Retarget": "#comment-form", "HX-Reswap": "outerHTML"},
        )
    if is_htmx(request):
        post, _access = service.load_post(session, user=user, post_id=post_id)
        session.refresh(post, ["comment_count"])  # the count was raised by an UPDATE statement
        return render(
            request,
            "posts/_comment_created.html",
            {"comment": comment, "author": user, "card": None, "comment_count": post.comment_count},
        )
    return RedirectResponse(f"/posts/{post_id}#comment-{comment.id}", status_code=303)


@router.get("/comments/{comment_id}/edit")
def edit_comment(
    request: Request, session: SessionDep, user: CurrentUser, comment_id: Id
) -> Response:
    comment, post, _access = service.load_comment(session, user=user, comment_id=comment_id)
    return render(
        request, "posts/comment_edit.html", {"comment": comment, "post": post, "form": comment}
    )


@router.post("/comments/{comment_id}/edit")
def save_comment(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    comment_id: Id,
    body: Annotated[str, Form()] = "",
) -> Response:
    try:
        comment = service.update_comment(session, user=user, comment_id=comment_id, body=body)
    except Invalid as exc:

        def context() -> dict[str, Any]:
            comment, post, _access = service.load_comment(session, user=user, comment_id=comment_id)
            return {"comment": comment, "post": post, "form": {"body": body}}

        return form_error(request, session, "posts/comment_edit.html", exc, context, field="body")
    return RedirectResponse(f"/posts/{comment.post_id}#comment-{comment.id}", status_code=303)


@router.post("/comments/{comment_id}/delete")
def delete_comment(session: SessionDep, user: CurrentUser, comment_id: Id) -> Response:
    comment = service.delete_comment(session, user=user, comment_id=comment_id)
    return RedirectResponse(f"/posts/{comment.post_id}", status_code=303)
