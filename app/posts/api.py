"""Posts: read, edit, pin, delete; comments; reactions."""

from fastapi import APIRouter, Response

from app.api.deps import ApiUser, Cursor, Limit, PostId
from app.api.schemas import (
    CommentCreate,
    CommentOut,
    CommentPage,
    PostOut,
    PostPatch,
    ReactionAdd,
    ReactionsOut,
    comment_out,
    post_out,
)
from app.core.security import SessionDep
from app.core.transactions import TransactionalRoute
from app.posts import service, streams
from app.posts.models import ReactionKind
from app.posts.publish_times import parse_publish_at

router = APIRouter(route_class=TransactionalRoute, tags=["posts"])


@router.get("/posts/{id}", response_model=PostOut)
def get_post(session: SessionDep, user: ApiUser, post_id: PostId) -> PostOut:
    """One post, if the caller may read its space."""
    post, access = service.load_post(session, user=user, post_id=post_id)
    return post_out(streams.post_card(session, user=user, post=post, space=access.space))


@router.patch("/posts/{id}", response_model=PostOut)
def update_post(session: SessionDep, user: ApiUser, post_id: PostId, data: PostPatch) -> PostOut:
    """The author edits title and text; hosts pin and unpin. All of it, or nothing on error."""
    changes = data.model_dump(exclude_unset=True)
    if changes.keys() & {"title", "body", "publish_at"}:
        service.update_post(
            session,
            user=user,
            post_id=post_id,
            title=changes.get("title"),
            body=changes.get("body"),
            publish_at=parse_publish_at(changes.get("publish_at") or ""),
        )
    if "pinned" in changes:
        service.set_pinned(session, user=user, post_id=post_id, pinned=changes["pinned"])
    post, access = service.load_post(session, user=user, post_id=post_id)
    return post_out(streams.post_card(session, user=user, post=post, space=access.space))


@router.delete("/posts/{id}", status_code=204)
def delete_post(session: SessionDep, user: ApiUser, post_id: PostId) -> Response:
    """The author, or a host of the space, deletes the post."""
    service.delete_post(session, user=user, post_id=post_id)
    return Response(status_code=204)


@router.get("/posts/{id}/comments", response_model=CommentPage)
def list_comments(
    session: SessionDep, user: ApiUser, post_id: PostId, cursor: Cursor = None, limit: Limit = 20
) -> CommentPage:
    """A post's comments, oldest first."""
    post, _access = service.load_post(session, user=user, post_id=post_id)
    page = streams.comments_page(session, user=user, post=post, cursor=cursor, limit=limit)
    return CommentPage(
        items=[comment_out(comment, author) for comment, author in page.items],
        next_cursor=page.next_cursor,
    )


@router.post("/posts/{id}/comments", response_model=CommentOut, status_code=201)
def add_comment(
    session: SessionDep, user: ApiUser, post_id: PostId, data: CommentCreate
) -> CommentOut:
    """Comment on a post in a space the caller is a member of; with `parent_id`, a reply to
    one of its comments (whose author is told)."""
    comment = service.add_comment(
        session, user=user, post_id=post_id, body=data.body, parent_id=data.parent_id
    )
    return comment_out(comment, user)


def _reactions(session: SessionDep, user: ApiUser, post_id: int) -> ReactionsOut:
    post, access = service.load_post(session, user=user, post_id=post_id)
    card = streams.post_card(session, user=user, post=post, space=access.space)
    return ReactionsOut(reactions=card.reactions, my_reactions=sorted(card.my_reactions))


@router.post("/posts/{id}/reactions", response_model=ReactionsOut)
def add_reaction(
    session: SessionDep, user: ApiUser, post_id: PostId, data: ReactionAdd
) -> ReactionsOut:
    """React to a post; reacting twice with the same kind changes nothing."""
    service.react(session, user=user, post_id=post_id, kind=data.kind, on=True)
    return _reactions(session, user, post_id)


@router.delete("/posts/{id}/reactions/{kind}", response_model=ReactionsOut)
def remove_reaction(
    session: SessionDep, user: ApiUser, post_id: PostId, kind: ReactionKind
) -> ReactionsOut:
    """Take a reaction back; taking back one that is not there changes nothing."""
    service.react(session, user=user, post_id=post_id, kind=kind, on=False)
    return _reactions(session, user, post_id)
