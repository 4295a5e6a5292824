"""The caller: who the token belongs to, and their home stream."""

from typing import Annotated

from fastapi import APIRouter, File, Response, UploadFile

from app.api.deps import ApiUser, Cursor, Limit
from app.api.schemas import AvatarOut, MeOut, PostPage, post_out
from app.core.security import SessionDep
from app.core.transactions import TransactionalRoute
from app.images.processing import read_picture
from app.people import avatars
from app.posts import streams as posts

router = APIRouter(route_class=TransactionalRoute, tags=["me"])


@router.get("/me", response_model=MeOut)
def me(user: ApiUser) -> MeOut:
    """The person the token belongs to."""
    return MeOut(
        id=user.id,
        email=user.email,
        handle=user.handle,
        display_name=user.display_name,
        is_admin=user.is_admin,
        is_leader=user.is_leader,
        avatar_url=avatars.avatar_url(user),
    )


@router.get("/feed", response_model=PostPage)
def feed(session: SessionDep, user: ApiUser, cursor: Cursor = None, limit: Limit = 20) -> PostPage:
    """The home stream: posts from the caller's spaces and public announcements, newest first."""
    page = posts.home_stream(session, user=user, cursor=cursor, limit=limit)
    return PostPage(items=[post_out(card) for card in page.items], next_cursor=page.next_cursor)


@router.put("/me/avatar", response_model=AvatarOut)
def put_avatar(
    session: SessionDep, user: ApiUser, file: Annotated[UploadFile, File()]
) -> AvatarOut:
    """Set the caller's picture (multipart, field `file`): JPEG, PNG, WebP or GIF, cropped
    square and re-encoded without its metadata."""
    version = avatars.set_avatar(session, user=user, raw=read_picture(file.file))
    return AvatarOut(avatar_url=avatars.avatar_url(user), version=version)


@router.delete("/me/avatar", status_code=204)
def delete_avatar(session: SessionDep, user: ApiUser) -> Response:
    """Remove the caller's picture: their generated face shows instead."""
    avatars.remove_avatar(session, user=user, actor=user)
    return Response(status_code=204)
