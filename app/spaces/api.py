"""Spaces: the directory, create and edit, join, add members, and a space's posts."""

from typing import Annotated

from fastapi import APIRouter, File, Response, UploadFile

from app.api.deps import ApiUser, Cursor, Limit, Slug
from app.api.schemas import (
    ErrorOut,
    HeaderImageOut,
    MemberAdd,
    MemberOut,
    PostCreate,
    PostOut,
    PostPage,
    SpaceCreate,
    SpaceOut,
    SpacePage,
    SpacePatch,
    member_out,
    post_out,
    space_out,
)
from app.core.errors import Invalid, NotFound
from app.core.security import SessionDep
from app.core.transactions import TransactionalRoute
from app.images.processing import read_picture
from app.people.service import normalise_email, user_by_email
from app.posts import service as posts
from app.posts import streams
from app.posts.publish_times import parse_publish_at
from app.spaces import header_image, service
from app.spaces.access import require_manage, space_access_by_slug
from app.spaces.models import JoinPolicy, Visibility

router = APIRouter(route_class=TransactionalRoute, tags=["spaces"])


@router.get("/spaces", response_model=SpacePage)
def list_spaces(
    session: SessionDep, user: ApiUser, cursor: Cursor = None, limit: Limit = 20
) -> SpacePage:
    """Spaces the caller may know of (secret ones only to their members), oldest first."""
    page = service.directory_page(session, user=user, cursor=cursor, limit=limit)
    return SpacePage(
        items=[space_out(s, m, n) for s, m, n in page.items], next_cursor=page.next_cursor
    )


@router.post("/spaces", response_model=SpaceOut, status_code=201)
def create_space(session: SessionDep, user: ApiUser, data: SpaceCreate) -> SpaceOut:
    """Create a space; the caller becomes its first host."""
    join_policy = data.join_policy or (
        JoinPolicy.invite if data.visibility == Visibility.secret else JoinPolicy.open
    )
    space = service.create_space(
        session,
        creator=user,
        name=data.name,
        description=data.description,
        visibility=data.visibility,
        join_policy=join_policy,
        slug=data.slug,
    )
    access = space_access_by_slug(session, user, space.slug)
    return space_out(space, access.membership, 1)


@router.get("/spaces/{slug}", response_model=SpaceOut)
def get_space(session: SessionDep, user: ApiUser, slug: Slug) -> SpaceOut:
    """A space's description; private spaces show it to everyone, their posts only to members."""
    access = space_access_by_slug(session, user, slug)
    count = service.member_count(session, access.space.id)
    return space_out(access.space, access.membership, count)


@router.patch("/spaces/{slug}", response_model=SpaceOut)
def update_space(session: SessionDep, user: ApiUser, slug: Slug, data: SpacePatch) -> SpaceOut:
    """Change a space's settings (hosts, and admins); fields left out keep their value."""
    access = require_manage(space_access_by_slug(session, user, slug))
    space = access.space
    changes = data.model_dump(exclude_unset=True)
    space = service.update_space(
        session,
        access=access,
        name=changes.get("name", space.name),
        description=changes.get("description", space.description),
        visibility=changes.get("visibility", space.visibility),
        join_policy=changes.get("join_policy", space.join_policy),
    )
    return space_out(space, access.membership, service.member_count(session, space.id))


@router.post("/spaces/{slug}/join", response_model=MemberOut)
def join_space(session: SessionDep, user: ApiUser, slug: Slug) -> MemberOut:
    """Join an open space, ask to join a request-only one, or accept an invitation."""
    access = space_access_by_slug(session, user, slug)
    membership = service.join_space(session, access=access)
    return member_out(access.space, user, membership)


@router.post("/spaces/{slug}/members", response_model=MemberOut, status_code=201)
def add_member(session: SessionDep, user: ApiUser, slug: Slug, data: MemberAdd) -> MemberOut:
    """A host adds a person by email, as member or host; adding again only sets the role."""
    # The host check comes first, so nobody else can probe which addresses have accounts.
    access = require_manage(space_access_by_slug(session, user, slug))
    try:
        person = user_by_email(session, normalise_email(data.email))
    except NotFound as exc:
        raise Invalid("No one with that email address", field="email") from exc
    membership = service.add_member(session, access=access, user=person, role=data.role)
    return member_out(access.space, person, membership)


@router.get("/spaces/{slug}/posts", response_model=PostPage)
def list_posts(
    session: SessionDep, user: ApiUser, slug: Slug, cursor: Cursor = None, limit: Limit = 20
) -> PostPage:
    """A space's posts, newest first, pinned ones included (see their pinned flag)."""
    access = space_access_by_slug(session, user, slug)
    page = streams.space_stream(
        session, access=access, cursor=cursor, limit=limit, include_pinned=True
    )
    return PostPage(items=[post_out(card) for card in page.items], next_cursor=page.next_cursor)


@router.post("/spaces/{slug}/posts", response_model=PostOut, status_code=201)
def create_post(session: SessionDep, user: ApiUser, slug: Slug, data: PostCreate) -> PostOut:
    """Write a post in a space the caller is a member of."""
    access = space_access_by_slug(session, user, slug)
    post = posts.create_post(
        session,
        access=access,
        title=data.title,
        body=data.body,
        kind=data.kind,
        publish_at=parse_publish_at(data.publish_at or ""),
    )
    return post_out(streams.post_card(session, user=user, post=post, space=access.space))


# A body that is no multipart form at all is refused before the route runs.
UNREADABLE_FORM: dict[int | str, dict[str, object]] = {
    400: {"model": ErrorOut, "description": "The body is no readable multipart form"}
}


@router.put("/spaces/{slug}/header-image", response_model=HeaderImageOut, responses=UNREADABLE_FORM)
def put_header_image(
    session: SessionDep, user: ApiUser, slug: Slug, file: Annotated[UploadFile, File()]
) -> HeaderImageOut:
    """Set the space's header image (hosts and admins; multipart, field `file`): JPEG, PNG,
    WebP or GIF, cropped to a 4:1 banner and re-encoded without its metadata."""
    access = require_manage(space_access_by_slug(session, user, slug))
    version = header_image.set_header_image(session, access=access, raw=read_picture(file.file))
    return HeaderImageOut(header_image_url=header_image.header_url(slug, version), version=version)


@router.delete("/spaces/{slug}/header-image", status_code=204)
def delete_header_image(session: SessionDep, user: ApiUser, slug: Slug) -> Response:
    """Remove the space's header image (hosts and admins)."""
    access = require_manage(space_access_by_slug(session, user, slug))
    header_image.remove_header_image(session, access=access)
    return Response(status_code=204)
