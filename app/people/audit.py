"""The audit log as admins read it: newest first, filtered by action and person, keyset pages."""

from dataclasses import dataclass

from sqlalchemy import and_, or_
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, select

from app.core.pagination import Cursor, Page, older_than
from app.people.models import AuditEntry, User

PAGE_SIZE = 50


@dataclass(frozen=True, slots=True)
class AuditLine:
    entry: AuditEntry
    actor: User | None
    target: User | None  # when the entry is about a person


def audit_log(
    session: Session, *, action: str = "", person: str = "", cursor: str | None = None
) -> Page[AuditLine]:
    """Entries whose action starts with `action` and whose actor or target person has the
    email or handle `person`; one query."""
    actor, target = aliased(User), aliased(User)
    query = (
        select(AuditEntry, actor, target)
        .outerjoin(actor, actor.id == AuditEntry.actor_id)  # type: ignore[arg-type]
        .outerjoin(
            target,
            and_(AuditEntry.target_type == "user", target.id == AuditEntry.target_id),  # type: ignore[arg-type]
        )
    )
    action = action.strip()[:64]
    if action:
        query = query.where(col(AuditEntry.action).startswith(action, autoescape=True))
    person = person.strip().lower().lstrip("@")[:254]
    if person:
        query = query.where(
            or_(
                col(actor.email) == person,
                col(actor.handle) == person,
                col(target.email) == person,
                col(target.handle) == person,
            )
        )
    query = older_than(query, cursor, at=col(AuditEntry.created_at), row_id=col(AuditEntry.id))
    rows = session.exec(
        query.order_by(col(AuditEntry.created_at).desc(), col(AuditEntry.id).desc()).limit(
            PAGE_SIZE + 1
        )
    ).all()
    lines = [AuditLine(entry=e, actor=a, target=t) for e, a, t in rows[:PAGE_SIZE]]
    next_cursor = None
    if len(rows) > PAGE_SIZE:
        last = lines[-1].entry
        next_cursor = Cursor(at=last.created_at, id=last.id or 0).encode()
    return Page(items=lines, next_cursor=next_cursor)


# The filter's choices: the prefixes the services write (record_audit's action names).
ACTION_GROUPS = (
    "user.",
    "sso.",
    "space.",
    "post.",
    "moderation.",
    "showcase.",
    "site_pin.",
    "badge.",
    "recognition.",
    "protocol.",
)
