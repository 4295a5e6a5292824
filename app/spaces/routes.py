"""Space pages: directory, create, stream, settings, members, join and leave."""

import io
from functools import partial
from typing import Annotated

from fastapi import APIRouter, Depends, File, Form, Request, UploadFile
from fastapi.responses import RedirectResponse, Response

from app.core.errors import DomainError, Invalid, NotFound
from app.core.ids import MAX_ID, Id
from app.core.security import AdminUser, CurrentUser, SessionDep, csrf_protect
from app.core.transactions import TransactionalRoute
from app.images.processing import read_picture
from app.people.models import User
from app.people.service import active_user, user_by_email
from app.posts import streams
from app.recognition import service as recognition
from app.recognition.panels import space_panel
from app.recognition.stream import space_stream_with_thanks
from app.spaces import header_image, newcomers, service
from app.spaces.access import require_manage, require_read, space_access_by_slug
from app.spaces.models import MemberState
from app.spaces.page import read_space_page
from app.spaces.schemas import MemberForm, SpaceForm
from app.web.templates import form_error, image_response, is_htmx, render

router = APIRouter(route_class=TransactionalRoute, dependencies=[Depends(csrf_protect)])


@router.get("/spaces")
def directory(request: Request, session: SessionDep, user: CurrentUser) -> Response:
    rows = service.directory(session, user=user)
    return render(request, "spaces/directory.html", {"rows": rows})


@router.get("/spaces/new")
def new_space(request: Request, user: CurrentUser) -> Response:
    return render(
        request, "spaces/form.html", {"form": {"visibility": "public", "join_policy": "open"}}
    )


@router.post("/spaces")
def create_space(
    request: Request, session: SessionDep, user: CurrentUser, form: Annotated[SpaceForm, Form()]
) -> Response:
    try:
        space = service.create_space(session, creator=user, **form.shown())
    except Invalid as exc:
        return form_error(request, session, "spaces/form.html", exc, {"form": form.shown()})
    return RedirectResponse(f"/spaces/{space.slug}", status_code=303)


def _space_context(session: SessionDep, access, cursor: str | None, member_count: int) -> dict:
    """The stream of a space's page; the first page also has the pins, the "new posts" mark
    and the recognition panel, a later page only the marks beside its posts."""
    require_read(access)
    page, stream = space_stream_with_thanks(
        session,
        access=access,
        posts_page=lambda after: streams.space_stream(session, access=access, cursor=after),
        cursor=cursor,
    )
    context = {
        "access": access,
        "space": access.space,
        "page": page,
        "stream": stream,
        "member_count": member_count,
    }
    if cursor:
        recognition.attach_marks(session, page.items)
        return context
    pinned = streams.pinned_posts(session, access=access)
    cards = [*page.items, *pinned]
    context["pinned"] = pinned
    context["news_since"] = streams.news_since()
    context["recognition"] = space_panel(session, access=access, cards=cards)
    return context


@router.get("/spaces/{slug}")
def space_page(
    request: Request, session: SessionDep, user: CurrentUser, slug: str, cursor: str | None = None
) -> Response:
    access, count = read_space_page(session, user=user, slug=slug)
    if not access.can_read:
        # Private spaces are listed, so a non-member sees the door, not the room.
        door = {"access": access, "space": access.space, "member_count": count}
        return render(request, "spaces/locked.html", door)
    context = _space_context(session, access, cursor, count)
    block = "stream_items" if cursor and is_htmx(request) else None
    return render(request, "spaces/page.html", context, block=block)


@router.get("/spaces/{slug}/edit")
def edit_space(request: Request, session: SessionDep, user: CurrentUser, slug: str) -> Response:
    access = require_manage(space_access_by_slug(session, user, slug))
    return render(request, "spaces/form.html", {"form": access.space, "space": access.space})


@router.post("/spaces/{slug}/edit")
def save_space(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    slug: str,
    form: Annotated[SpaceForm, Form()],
) -> Response:
    access = require_manage(space_access_by_slug(session, user, slug))
    try:
        service.update_space(session, access=access, **form.shown())
    except Invalid as exc:
        context = {"form": form.shown(), "space": access.space}
        return form_error(request, session, "spaces/form.html", exc, context)
    return RedirectResponse(f"/spaces/{slug}", status_code=303)


@router.get("/spaces/{slug}/header/{width}")
def space_header_image(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    slug: str,
    width: header_image.HeaderWidth,
) -> Response:
    access = space_access_by_slug(session, user, slug)
    image = header_image.servable_header_image(session, access=access, width=int(width))
    if image is None:
        raise NotFound()
    etag = f"{image.version}-{image.width}"
    return image_response(request, data=image.data, content_type=image.content_type, etag=etag)


@router.post("/spaces/{slug}/header")
def upload_space_header(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    slug: str,
    file: Annotated[UploadFile | None, File()] = None,
) -> Response:
    access = require_manage(space_access_by_slug(session, user, slug))
    try:
        raw = read_picture(file.file if file is not None else io.BytesIO())
        header_image.set_header_image(session, access=access, raw=raw)
    except Invalid as exc:
        context = {"form": access.space, "space": access.space}
        return form_error(request, session, "spaces/form.html", exc, context)
    return RedirectResponse(f"/spaces/{slug}", status_code=303)


@router.post("/spaces/{slug}/header/delete")
def delete_space_header(session: SessionDep, user: CurrentUser, slug: str) -> Response:
    access = space_access_by_slug(session, user, slug)
    header_image.remove_header_image(session, access=access)
    return RedirectResponse(f"/spaces/{slug}/edit", status_code=303)


@router.post("/spaces/{slug}/archive")
def archive_space(
    session: SessionDep, user: CurrentUser, slug: str, archived: Annotated[bool, Form()] = True
) -> Response:
    access = space_access_by_slug(session, user, slug)
    service.set_archived(session, access=access, archived=archived)
    return RedirectResponse(f"/spaces/{slug}", status_code=303)


@router.post("/spaces/{slug}/join")
def join(session: SessionDep, user: CurrentUser, slug: str) -> Response:
    access = space_access_by_slug(session, user, slug)
    service.join_space(session, access=access)
    return RedirectResponse(f"/spaces/{slug}", status_code=303)


@router.post("/spaces/{slug}/leave")
def leave(session: SessionDep, user: CurrentUser, slug: str) -> Response:
    access = space_access_by_slug(session, user, slug)
    service.leave_space(session, access=access)
    return RedirectResponse("/spaces", status_code=303)


def members_context(session: SessionDep, access, typed: dict[str, str] | None = None) -> dict:
    """A space's members page; after a refused form, with what was typed."""
    return {
        **({"form": typed} if typed is not None else {}),
        "access": access,
        "space": access.space,
        "members": service.members(session, space_id=access.space.id),
        "requests": service.members(session, space_id=access.space.id, state=MemberState.requested)
        if access.can_manage
        else [],
        "invited": service.members(session, space_id=access.space.id, state=MemberState.invited)
        if access.can_manage
        else [],
    }


@router.get("/spaces/{slug}/members")
def members_page(request: Request, session: SessionDep, user: CurrentUser, slug: str) -> Response:
    access = require_read(space_access_by_slug(session, user, slug))
    return render(request, "spaces/members.html", members_context(session, access))


def _chosen_person(session: SessionDep, person: str, email: str) -> User:
    if not person:
        return user_by_email(session, email)
    if not person.isdigit() or int(person) > MAX_ID:
        raise NotFound("Person not found")
    return active_user(session, int(person))


@router.post("/spaces/{slug}/members")
def add_member(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    slug: str,
    form: Annotated[MemberForm, Form()],
) -> Response:
    access = require_manage(space_access_by_slug(session, user, slug))
    try:
        chosen = _chosen_person(session, form.person, form.email)
        service.add_member(session, access=access, user=chosen, role=form.role, invite=form.invites)
    except DomainError as exc:
        context = partial(members_context, session, access, {"email": form.email})
        return form_error(request, session, "spaces/members.html", exc, context, field="email")
    return RedirectResponse(f"/spaces/{slug}/members", status_code=303)


@router.post("/spaces/{slug}/members/{user_id}/{action}")
def member_action(
    session: SessionDep, user: CurrentUser, slug: str, user_id: Id, action: str
) -> Response:
    access = space_access_by_slug(session, user, slug)
    if action == "approve":
        service.decide_request(session, access=access, user_id=user_id, approve=True)
    elif action == "decline":
        service.decide_request(session, access=access, user_id=user_id, approve=False)
    elif action in ("host", "member"):
        service.set_role(session, access=access, user_id=user_id, role=action)
    elif action == "remove":
        service.remove_member(session, access=access, user_id=user_id)
    else:
        raise Invalid("Unknown action")
    return RedirectResponse(f"/spaces/{slug}/members", status_code=303)


@router.get("/admin/spaces")
def admin_spaces(request: Request, session: SessionDep, admin: AdminUser) -> Response:
    return render(request, "spaces/admin.html", _admin_spaces_context(session, admin))


def _admin_spaces_context(session: SessionDep, admin: User, error: str | None = None) -> dict:
    """The spaces a newcomer may be given, with the message of a refused change."""
    spaces = newcomers.spaces_everyone_may_join(session, admin=admin)
    return {"spaces": spaces} if error is None else {"spaces": spaces, "error": error}


@router.post("/admin/spaces/{space_id}/everyone-joins")
def admin_everyone_joins(
    request: Request,
    session: SessionDep,
    admin: AdminUser,
    space_id: Id,
    everyone_joins: Annotated[bool, Form()] = False,
) -> Response:
    try:
        newcomers.set_everyone_joins(session, admin=admin, space_id=space_id, on=everyone_joins)
    except Invalid as exc:
        context = partial(_admin_spaces_context, session, admin, exc.text())
        return form_error(request, session, "spaces/admin.html", exc, context)
    return RedirectResponse("/admin/spaces?saved=1", status_code=303)
