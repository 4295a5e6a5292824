"""Protocol pages: list and create, the live editor page, plain form edit with conflict
resolution, history with diff and restore, publish/lock, export and "My action items"."""

from functools import partial
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, PlainTextResponse, RedirectResponse, Response

from app.core.errors import Invalid
from app.core.ids import CounterForm, CounterQuery, Id
from app.core.security import CurrentUser, SessionDep, csrf_protect
from app.core.transactions import TransactionalRoute, writes_in_steps
from app.people.models import User
from app.protocols import editing, service, summary
from app.protocols.access import can_edit
from app.protocols.actions import parse_decisions
from app.protocols.models import Protocol
from app.protocols.queries import action_items_of, assignee_handle, my_action_items
from app.protocols.schemas import ActionItemForm, NewProtocolForm, ProtocolEditForm
from app.spaces.access import SpaceAccess, require_read, space_access_by_slug
from app.spaces.service import member_count
from app.uploads.forms import FormFiles, attach_form_files_apart
from app.web.templates import form_error, is_htmx, render

router = APIRouter(route_class=TransactionalRoute, dependencies=[Depends(csrf_protect)])


def _back(protocol_id: int, suffix: str = "") -> RedirectResponse:
    return RedirectResponse(f"/protocols/{protocol_id}{suffix}", status_code=303)


@router.get("/spaces/{slug}/protocols")
def protocol_list(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    slug: str,
    q: str = "",
    archived: bool = False,
    cursor: str | None = None,
) -> Response:
    access = require_read(space_access_by_slug(session, user, slug))
    page = service.list_protocols(session, access=access, query=q, archived=archived, cursor=cursor)
    context = _list_context(session, access, page, q=q, archived=archived)
    return render(request, "protocols/list.html", context)


def _list_context(
    session: SessionDep, access: SpaceAccess, page: object, **values: Any
) -> dict[str, Any]:
    """A space's protocols page: the list, and the form to start one from a template."""
    return {
        "access": access,
        "space": access.space,
        "page": page,
        "templates": list(service.TEMPLATES),
        "member_count": member_count(session, access.space.id),
        **values,
    }


@router.post("/spaces/{slug}/protocols")
def protocol_create(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    slug: str,
    form: Annotated[NewProtocolForm, Form()],
) -> Response:
    access = space_access_by_slug(session, user, slug)
    try:
        protocol = service.create_protocol(
            session, access=access, title=form.title, template=form.template
        )
    except Invalid as exc:

        def context() -> dict[str, Any]:
            page = service.list_protocols(session, access=access)
            return _list_context(session, access, page, form=form.shown())

        return form_error(request, session, "protocols/list.html", exc, context)
    return _back(protocol.id)  # type: ignore[arg-type]


@router.get("/protocols/{protocol_id}")
def protocol_page(
    request: Request, session: SessionDep, user: CurrentUser, protocol_id: Id
) -> Response:
    view = service.load_protocol(session, user=user, protocol_id=protocol_id)
    protocol = view.protocol
    context = {
        "protocol": protocol,
        "access": view.access,
        "space": view.access.space,
        "contributors": view.contributors,
        "can_edit": can_edit(protocol, view.access),
        "html": summary.render_protocol(session, protocol.text),
        "decisions": parse_decisions(protocol.text),
        "items": action_items_of(session, protocol_id=protocol_id),
    }
    return render(request, "protocols/page.html", context)


@router.get("/protocols/{protocol_id}/preview")
def preview(session: SessionDep, user: CurrentUser, protocol_id: Id) -> Response:
    """The live document rendered and sanitised on the server (the editor's preview pane)."""
    service.load_protocol(session, user=user, protocol_id=protocol_id)
    text, _seq = service.live_text(protocol_id)
    return HTMLResponse(summary.render_protocol(session, text), headers={"vary": "HX-Request"})


@router.get("/protocols/{protocol_id}/edit")
def edit_form(
    request: Request, session: SessionDep, user: CurrentUser, protocol_id: Id
) -> Response:
    context = _editor(session, user, protocol_id)  # first: it checks who may read it
    version = editing.current_version(session, protocol_id=protocol_id)
    return render(
        request, "protocols/edit.html", {**context, "text": version.text, "version": version.number}
    )


def _editor(session: SessionDep, user: User, protocol_id: int, **values: Any) -> dict[str, Any]:
    """The plain editor's page: the protocol, its space, and the text and version shown."""
    view = service.load_protocol(session, user=user, protocol_id=protocol_id)
    return {"protocol": view.protocol, "space": view.access.space, **values}


@router.post("/protocols/{protocol_id}/edit")
@writes_in_steps
def edit_save(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    protocol_id: Id,
    form: Annotated[ProtocolEditForm, Form()],
    attachment: FormFiles = None,
) -> Response:
    try:
        # Committed apart: the save below commits steps on other connections first.
        with_files = attach_form_files_apart(user=user, body=form.text, files=attachment)
    except Invalid as exc:
        typed = partial(
            _editor, session, user, protocol_id, text=form.text, version=form.base_version
        )
        return form_error(request, session, "protocols/edit.html", exc, typed)
    result = editing.save_text(
        session, user=user, protocol_id=protocol_id, base_version=form.base_version, text=with_files
    )
    if not result.conflict:
        return _back(protocol_id, "?saved=1")
    # Both texts side by side, to be merged by hand and saved again on the newest version.
    context = _editor(
        session,
        user,
        protocol_id,
        text=result.submitted,
        theirs=result.text,
        version=result.revision.number,
        conflict=True,
    )
    return render(request, "protocols/edit.html", context, status_code=409)


@router.get("/protocols/{protocol_id}/history")
def history(request: Request, session: SessionDep, user: CurrentUser, protocol_id: Id) -> Response:
    view = service.load_protocol(session, user=user, protocol_id=protocol_id)
    revisions = editing.list_revisions(session, user=user, protocol_id=protocol_id)
    people = {u.id: u for u, _n in view.contributors}
    return render(
        request,
        "protocols/history.html",
        {
            "protocol": view.protocol,
            "space": view.access.space,
            "revisions": revisions,
            "people": people,
            "can_edit": can_edit(view.protocol, view.access),
        },
    )


@router.get("/protocols/{protocol_id}/diff")
def diff(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    protocol_id: Id,
    a: CounterQuery = 1,
    b: CounterQuery = 1,
) -> Response:
    old = editing.get_revision(session, user=user, protocol_id=protocol_id, number=a)
    new = editing.get_revision(session, user=user, protocol_id=protocol_id, number=b)
    view = service.load_protocol(session, user=user, protocol_id=protocol_id)
    lines = editing.diff_lines(editing.revision_text(old), editing.revision_text(new))
    return render(
        request,
        "protocols/diff.html",
        {
            "protocol": view.protocol,
            "space": view.access.space,
            "old": old,
            "new": new,
            "lines": lines,
        },
    )


@router.post("/protocols/{protocol_id}/restore")
@writes_in_steps
def restore(
    session: SessionDep,
    user: CurrentUser,
    protocol_id: Id,
    number: CounterForm = 0,
) -> Response:
    editing.restore(session, user=user, protocol_id=protocol_id, number=number)
    return _back(protocol_id, "/history")


@router.post("/protocols/{protocol_id}/revisions")
def save_revision(
    session: SessionDep, user: CurrentUser, protocol_id: Id, note: Annotated[str, Form()] = ""
) -> Response:
    editing.save_manual_revision(session, user=user, protocol_id=protocol_id, note=note)
    return _back(protocol_id, "/history")


@router.post("/protocols/{protocol_id}/publish")
def publish(session: SessionDep, user: CurrentUser, protocol_id: Id) -> Response:
    editing.publish(session, user=user, protocol_id=protocol_id)
    return _back(protocol_id)


@router.post("/protocols/{protocol_id}/lock")
def lock(
    session: SessionDep, user: CurrentUser, protocol_id: Id, locked: Annotated[bool, Form()] = True
) -> Response:
    service.set_locked(session, user=user, protocol_id=protocol_id, locked=locked)
    return _back(protocol_id)


@router.post("/protocols/{protocol_id}/archive")
def archive(
    session: SessionDep,
    user: CurrentUser,
    protocol_id: Id,
    archived: Annotated[bool, Form()] = True,
) -> Response:
    service.set_archived(session, user=user, protocol_id=protocol_id, archived=archived)
    return _back(protocol_id)


@router.post("/protocols/{protocol_id}/summary")
def post_summary(session: SessionDep, user: CurrentUser, protocol_id: Id) -> Response:
    post = summary.post_summary(session, user=user, protocol_id=protocol_id)
    return RedirectResponse(f"/posts/{post.id}", status_code=303)


@router.get("/protocols/{protocol_id}/export.md")
def export_markdown(session: SessionDep, user: CurrentUser, protocol_id: Id) -> Response:
    protocol, text = service.export_markdown(session, user=user, protocol_id=protocol_id)
    filename = f"protocol-{protocol.id}.md"
    return PlainTextResponse(
        text,
        media_type="text/markdown; charset=utf-8",
        headers={"content-disposition": f'attachment; filename="{filename}"'},
    )


@router.get("/protocols/{protocol_id}/print")
def print_view(
    request: Request, session: SessionDep, user: CurrentUser, protocol_id: Id
) -> Response:
    view = service.load_protocol(session, user=user, protocol_id=protocol_id)
    return render(
        request,
        "protocols/print.html",
        {
            "protocol": view.protocol,
            "space": view.access.space,
            "contributors": view.contributors,
            "html": summary.render_protocol(session, view.protocol.text),
        },
    )


@router.get("/action-items")
def my_items(
    request: Request, session: SessionDep, user: CurrentUser, done: bool = False
) -> Response:
    rows = my_action_items(session, user=user, done=done)
    return render(request, "protocols/my_items.html", {"rows": rows, "done": done})


@router.get("/me/action-items")
def my_items_at_the_api_address(request: Request) -> Response:
    """The page also answers at the address of its API twin (/api/v1/me/action-items)."""
    query = f"?{request.url.query}" if request.url.query else ""
    return RedirectResponse(f"/action-items{query}", status_code=308)


@router.post("/action-items/{item_id}/toggle")
@writes_in_steps
def toggle_item(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    item_id: Id,
    form: Annotated[ActionItemForm, Form()],
) -> Response:
    item = editing.set_action_item_done(session, user=user, item_id=item_id, done=form.done)
    if is_htmx(request):
        # The row looks as it did where it was ticked: in the protocol's own panel it names the
        # assignee, on "My action items" the protocol it belongs to.
        context: dict[str, object]
        if form.shown_in == "protocol":
            context = {"item": item, "protocol": None, "handle": assignee_handle(session, item)}
        else:
            context = {"item": item, "protocol": session.get(Protocol, item.protocol_id)}
        return render(request, "protocols/_item_row.html", context)
    return RedirectResponse("/action-items", status_code=303)
