"""The caller: who the token belongs to, and their home stream."""

from fastapi import APIRouter

from app.api.deps import ApiUser, Cursor, Limit
from app.api.schemas import MeOut, PostPage, post_out
from app.posts import streams as posts
from app.security import SessionDep
from app.transactions import TransactionalRoute

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
    )


@router.get("/feed", response_model=PostPage)
def feed(session: SessionDep, user: ApiUser, cursor: Cursor = None, limit: Limit = 20) -> PostPage:
    """The home stream: posts from the caller's spaces and public announcements, newest first."""
    page = posts.home_stream(session, user=user, cursor=cursor, limit=limit)
    return PostPage(items=[post_out(card) for card in page.items], next_cursor=page.next_cursor)
