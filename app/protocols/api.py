"""Protocols in the JSON API, and the live sync WebSocket (y-websocket protocol)."""

from datetime import date
from typing import Any

from fastapi import APIRouter, WebSocket
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from sqlmodel import Session

from app.api.deps import ApiUser
from app.api.schemas import Input
from app.core.ids import ApiCounter, Id
from app.core.security import SessionDep
from app.core.transactions import TransactionalRoute, writes_in_steps
from app.protocols import editing, service
from app.protocols import sync as live
from app.protocols.actions import parse_decisions
from app.protocols.editing import SaveResult
from app.protocols.models import ActionItem, Protocol, ProtocolRevision
from app.protocols.queries import action_items_of, assignee_handle, my_action_items
from app.spaces.access import space_access_by_slug

router = APIRouter(route_class=TransactionalRoute, tags=["protocols"])


class ProtocolCreate(Input):
    title: str = Field(strict=True, max_length=200)
    template: str = Field(
        default="meeting", strict=True, max_length=32, examples=["meeting", "retro", "blank"]
    )
    text: str | None = Field(default=None, strict=True, max_length=service.MAX_TEXT)


class ProtocolSave(Input):
    text: str = Field(strict=True, max_length=service.MAX_TEXT)
    base_version: ApiCounter


class ProtocolConflictOut(BaseModel):
    detail: str
    yours: str = Field(description="The text you sent (kept in the history)")
    theirs: str = Field(description="The current text")
    version: int
    base_version: int


class ActionItemPatch(Input):
    done: bool = Field(strict=True)


def _item(item: ActionItem, handle: str | None = None) -> dict[str, Any]:
    return {
        "id": item.id,
        "protocol_id": item.protocol_id,
        "text": item.text,
        "assignee": handle,
        "due": item.due.isoformat() if isinstance(item.due, date) else None,
        "done": item.done,
    }


def _protocol(session: Session, protocol: Protocol, version: int, text: str) -> dict[str, Any]:
    """`text` is the text of `version`, never the stored copy read separately: a client edits
    that text and names that version as its base, and a mismatch made the three-way merge
    delete what the version held and the text lacked."""
    items = action_items_of(session, protocol_id=protocol.id)  # type: ignore[arg-type]
    return {
        "id": protocol.id,
        "title": protocol.title,
        "status": protocol.status,
        "locked": protocol.locked_at is not None,
        "text": text,
        "version": version,
        "decisions": parse_decisions(text),
        "action_items": [_item(i, h) for i, h in items],
        "updated_at": protocol.updated_at.isoformat(),
    }


def _revision(r: ProtocolRevision) -> dict[str, Any]:
    return {
        "version": r.number,
        "kind": r.kind,
        "state": r.state,
        "author_id": r.author_id,
        "credited": [int(i) for i in r.credited_ids.split(",") if i],
        "created_at": r.created_at.isoformat(),
        "note": r.note,
    }


@router.get("/spaces/{slug}/protocols")
def list_protocols(
    session: SessionDep, user: ApiUser, slug: str, q: str = "", cursor: str | None = None
) -> dict[str, Any]:
    access = space_access_by_slug(session, user, slug)
    page = service.list_protocols(session, access=access, query=q, cursor=cursor)
    items = [_list_item(protocol) for protocol, _creator in page.items]
    return {"items": items, "next_cursor": page.next_cursor}


def _list_item(protocol: Protocol) -> dict[str, Any]:
    return {
        "id": protocol.id,
        "title": protocol.title,
        "status": protocol.status,
        "updated_at": protocol.updated_at.isoformat(),
    }


@router.post("/spaces/{slug}/protocols", status_code=201)
def create_protocol(
    session: SessionDep, user: ApiUser, slug: str, body: ProtocolCreate
) -> dict[str, Any]:
    access = space_access_by_slug(session, user, slug)
    protocol = service.create_protocol(
        session, access=access, title=body.title, template=body.template, text=body.text
    )
    return _protocol(session, protocol, 1, protocol.text)


@router.get("/protocols/{protocol_id}")
def get_protocol(session: SessionDep, user: ApiUser, protocol_id: Id) -> dict[str, Any]:
    view = service.load_protocol(session, user=user, protocol_id=protocol_id)
    version = editing.current_version(session, protocol_id=protocol_id)
    session.refresh(view.protocol)
    return _protocol(session, view.protocol, version.number, version.text)


@router.put(
    "/protocols/{protocol_id}",
    response_model=None,
    responses={409: {"model": ProtocolConflictOut, "description": "A real conflict"}},
)
@writes_in_steps
def save_protocol(
    session: SessionDep, user: ApiUser, protocol_id: Id, body: ProtocolSave
) -> dict[str, Any] | JSONResponse:
    base = body.base_version
    result = editing.save_text(
        session, user=user, protocol_id=protocol_id, base_version=base, text=body.text
    )
    if result.conflict:
        return _conflict(result, base)
    return _saved(session, protocol_id, result)


def _conflict(result: SaveResult, base_version: int) -> JSONResponse:
    """Both texts and the newest version, for the client to merge and save again (409)."""
    return JSONResponse(
        status_code=409,
        content={
            "detail": "Your changes conflict with edits made meanwhile",
            "yours": result.submitted,
            "theirs": result.text,
            "version": result.revision.number,
            "base_version": base_version,
        },
    )


def _saved(session: Session, protocol_id: int, result: SaveResult) -> dict[str, Any]:
    """The protocol as saved, and whether the text was merged with edits made meanwhile."""
    protocol = session.get(Protocol, protocol_id)
    assert protocol is not None
    session.refresh(protocol)
    data = _protocol(session, protocol, result.revision.number, result.revision.text)
    data["merged"] = result.merged
    return data


@router.get("/protocols/{protocol_id}/revisions")
def revisions(session: SessionDep, user: ApiUser, protocol_id: Id) -> dict[str, Any]:
    rows = editing.list_revisions(session, user=user, protocol_id=protocol_id)
    return {"items": [_revision(r) for r in rows]}


@router.get("/me/action-items")
def my_items(session: SessionDep, user: ApiUser, done: bool = False) -> dict[str, Any]:
    rows = my_action_items(session, user=user, done=done)
    return {
        "items": [
            {**_item(item, user.handle), "protocol_title": protocol.title}
            for item, protocol, _s in rows
        ]
    }


@router.patch("/action-items/{item_id}")
@writes_in_steps
def patch_item(
    session: SessionDep, user: ApiUser, item_id: Id, body: ActionItemPatch
) -> dict[str, Any]:
    item = editing.set_action_item_done(session, user=user, item_id=item_id, done=body.done)
    return _item(item, assignee_handle(session, item))


@router.websocket("/protocols/{protocol_id}/sync")
async def sync(websocket: WebSocket, protocol_id: Id) -> None:
    await live.serve(websocket, protocol_id)
