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
from app.protocols import editing, service, summary, views
from app.protocols.queries import my_action_items
from app.protocols.schemas import ActionItemForm, NewProtocolForm, ProtocolEditForm
from app.spaces.access import SpaceAccess, require_read, space_access_by_slug
from app.spaces.service import member_count
from app.uploads.forms import FormFiles, attach_form_files_apart
from app.web.templates import form_error, is_htmx, render

router = APIRouter(route_class=TransactionalRoute, dependencies=[Depends(csrf_protect)])
LIST = "protocols/list.html"


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
    return render(request, LIST, context)


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
        new = service.create_protocol(
            session, access=access, title=form.title, template=form.template
        )
    except Invalid as exc:
        return form_error(request, session, LIST, exc, partial(_typed_list, session, access, form))
    return _back(new.id)  # type: ignore[arg-type]


def _typed_list(session: SessionDep, access: SpaceAccess, form: NewProtocolForm) -> dict[str, Any]:
    """A refused new protocol: the space's protocols, the form with what was typed."""
    page = service.list_protocols(session, access=access)
    return _list_context(session, access, page, form=form.shown())


@router.get("/protocols/{protocol_id}")
def protocol_page(
    request: Request, session: SessionDep, user: CurrentUser, protocol_id: Id
) -> Response:
    context = views.protocol_page(session, user=user, protocol_id=protocol_id)
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
        return _refused_files(request, session, user, protocol_id, form, exc)
    return _save(request, session, user, protocol_id, form.base_version, with_files)


def _refused_files(
    request: Request,
    session: SessionDep,
    user: User,
    protocol_id: int,
    form: ProtocolEditForm,
    exc: Invalid,
) -> Response:
    """Files the editor refused: the text as typed, on the version it was typed on."""
    typed = partial(_editor, session, user, protocol_id, text=form.text, version=form.base_version)
    return form_error(request, session, "protocols/edit.html", exc, typed)


def _save(
    request: Request, session: SessionDep, user: User, protocol_id: int, base: int, text: str
) -> Response:
    """Save the text on its base version: back to the protocol, or after a real conflict both
    texts side by side (409), to be merged by hand and saved again on the newest version."""
    result = editing.save_text(
        session, user=user, protocol_id=protocol_id, base_version=base, text=text
    )
    if not result.conflict:
        return _back(protocol_id, "?saved=1")
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
    context = views.history_page(session, user=user, protocol_id=protocol_id)
    return render(request, "protocols/history.html", context)


@router.get("/protocols/{protocol_id}/diff")
def diff(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    protocol_id: Id,
    a: CounterQuery = 1,
    b: CounterQuery = 1,
) -> Response:
    context = views.diff_page(session, user=user, protocol_id=protocol_id, a=a, b=b)
    return render(request, "protocols/diff.html", context)


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
    if not is_htmx(request):
        return RedirectResponse("/action-items", status_code=303)
    context = views.item_row(session, item, shown_in=form.shown_in)
    return render(request, "protocols/_item_row.html", context)
