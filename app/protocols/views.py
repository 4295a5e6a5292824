"""What the protocol pages show: the page, its history, a diff and an action item's row.

Each builder checks who may read the protocol first (service.load_protocol answers 404), then
gathers the page's parts; the route only renders them.
"""

from typing import Any

from sqlmodel import Session

from app.people.models import User
from app.protocols import editing, service, summary
from app.protocols.access import can_edit
from app.protocols.actions import parse_decisions
from app.protocols.models import ActionItem, Protocol
from app.protocols.queries import action_items_of, assignee_handle


def protocol_page(session: Session, *, user: User, protocol_id: int) -> dict[str, Any]:
    """The protocol as read: its rendered text, decisions, action items and contributors."""
    view = service.load_protocol(session, user=user, protocol_id=protocol_id)
    protocol = view.protocol
    return {
        "protocol": protocol,
        "access": view.access,
        "space": view.access.space,
        "contributors": view.contributors,
        "can_edit": can_edit(protocol, view.access),
        "html": summary.render_protocol(session, protocol.text),
        "decisions": parse_decisions(protocol.text),
        "items": action_items_of(session, protocol_id=protocol_id),
    }


def history_page(session: Session, *, user: User, protocol_id: int) -> dict[str, Any]:
    """The protocol's revisions, with the people who wrote them."""
    view = service.load_protocol(session, user=user, protocol_id=protocol_id)
    revisions = editing.list_revisions(session, user=user, protocol_id=protocol_id)
    return {
        "protocol": view.protocol,
        "space": view.access.space,
        "revisions": revisions,
        "people": {person.id: person for person, _edits in view.contributors},
        "can_edit": can_edit(view.protocol, view.access),
    }


def diff_page(session: Session, *, user: User, protocol_id: int, a: int, b: int) -> dict[str, Any]:
    """Revision `a` beside revision `b`, line by line."""
    old = editing.get_revision(session, user=user, protocol_id=protocol_id, number=a)
    new = editing.get_revision(session, user=user, protocol_id=protocol_id, number=b)
    view = service.load_protocol(session, user=user, protocol_id=protocol_id)
    lines = editing.diff_lines(editing.revision_text(old), editing.revision_text(new))
    return {
        "protocol": view.protocol,
        "space": view.access.space,
        "old": old,
        "new": new,
        "lines": lines,
    }


def item_row(session: Session, item: ActionItem, *, shown_in: str) -> dict[str, Any]:
    """An action item's row as it looked where it was ticked: in the protocol's own panel it
    names the assignee, on "My action items" the protocol it belongs to."""
    if shown_in == "protocol":
        return {"item": item, "protocol": None, "handle": assignee_handle(session, item)}
    return {"item": item, "protocol": session.get(Protocol, item.protocol_id)}
