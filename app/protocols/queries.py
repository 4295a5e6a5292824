"""Read-side queries for protocol pages and the API (fixed number of queries each)."""

from sqlmodel import Session, col, select

from app.people.models import User
from app.protocols.access import readable_protocols_filter
from app.protocols.models import ActionItem, Protocol
from app.spaces.models import Space


def action_items_of(session: Session, *, protocol_id: int) -> list[tuple[ActionItem, str | None]]:
    rows = session.exec(
        select(ActionItem, User.handle)
        .outerjoin(User, col(User.id) == col(ActionItem.assignee_id))
        .where(ActionItem.protocol_id == protocol_id, ActionItem.present == True)  # noqa: E712
        .order_by(col(ActionItem.position))
    ).all()
    return [(item, handle) for item, handle in rows]


def assignee_handle(session: Session, item: ActionItem) -> str | None:
    """The @handle an item is assigned to (None when it has no assignee)."""
    if item.assignee_id is None:
        return None
    return session.exec(select(User.handle).where(User.id == item.assignee_id)).first()


def my_action_items(
    session: Session, *, user: User, done: bool = False, limit: int = 200
) -> list[tuple[ActionItem, Protocol, Space]]:
    """Items assigned to me in protocols I may still read, soonest due first."""
    rows = session.exec(
        select(ActionItem, Protocol, Space)
        .join(Protocol, col(Protocol.id) == col(ActionItem.protocol_id))
        .join(Space, col(Space.id) == col(Protocol.space_id))
        .where(
            ActionItem.assignee_id == user.id,
            ActionItem.present == True,  # noqa: E712
            ActionItem.done == done,
            readable_protocols_filter(user),
            col(Protocol.archived_at).is_(None),
        )
        .order_by(col(ActionItem.due).is_(None), col(ActionItem.due), col(ActionItem.id))
        .limit(limit)
    ).all()
    return [(i, p, s) for i, p, s in rows]
