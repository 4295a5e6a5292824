"""Protocols: create from a template, list, read the derived text, publish, lock, archive."""

from dataclasses import dataclass
from datetime import datetime

from pycrdt import Doc
from sqlalchemy import func, or_, update
from sqlmodel import Session, col, select

from app.core.db import utcnow
from app.core.domain_events import ProtocolCreated, publish
from app.core.errors import Forbidden, Invalid
from app.core.i18n import N_, gettext
from app.core.pagination import Cursor, Page
from app.core.text import check_characters, clean_text, without_forbidden
from app.people.models import User
from app.people.service import record_audit
from app.protocols import store
from app.protocols.access import protocol_access
from app.protocols.actions import sync_action_items
from app.protocols.models import (
    Protocol,
    ProtocolContributor,
    ProtocolRevision,
    ProtocolStatus,
    ProtocolUpdate,
    RevisionKind,
)
from app.protocols.rooms import read_text
from app.spaces.access import SpaceAccess, require_moderate, require_read, require_write

NO_TITLE = N_("Give the protocol a title")

MAX_TITLE = 200
MAX_TEXT = 200_000

# Each template's sections (heading, first line), the headings translated into the creator's
# language when the template is used.
_LIST, _NUMBERED, _TASK, _TEXT = "- ", "1. ", "- [ ] ", ""
_EXAMPLE_TASK = "- [ ] {example}"
ACTION_EXAMPLE = N_("@name What needs doing (due YYYY-MM-DD)")
TEMPLATES: dict[str, tuple[tuple[str, str], ...]] = {
    "meeting": (
        (N_("Attendees"), _LIST),
        (N_("Agenda"), _NUMBERED),
        (N_("Notes"), _TEXT),
        (N_("Decisions"), _LIST),
        (N_("Action items"), _EXAMPLE_TASK),
    ),
    "retro": (
        (N_("Attendees"), _LIST),
        (N_("What went well"), _LIST),
        (N_("What could be better"), _LIST),
        (N_("Decisions"), _LIST),
        (N_("Action items"), _TASK),
    ),
    "decision": (
        (N_("Attendees"), _LIST),
        (N_("Context"), _TEXT),
        (N_("Options"), _NUMBERED),
        (N_("Decisions"), _LIST),
        (N_("Consequences"), _TEXT),
        (N_("Action items"), _TASK),
    ),
    "blank": (),
}


def template_text(template: str, title: str) -> str:
    """The template's Markdown, in the language of the current request."""
    if template not in TEMPLATES:
        raise Invalid("Unknown template", field="template")
    sections = [
        f"## {gettext(heading)}\n\n"
        + start.replace("{example}", gettext(ACTION_EXAMPLE))
        + ("\n" if start else "")
        for heading, start in TEMPLATES[template]
    ]
    return "\n".join([f"# {title}\n", *sections]) if sections else f"# {title}\n\n"


def check_text(text: str) -> str:
    check_characters(text, field="text")
    if len(text) > MAX_TEXT:
        raise Invalid("Too long: at most %(max)s characters", field="text", max=MAX_TEXT)
    return text.replace("\r\n", "\n")


def create_protocol(
    session: Session,
    *,
    access: SpaceAccess,
    title: str,
    template: str = "meeting",
    text: str | None = None,
) -> Protocol:
    """A new protocol; its document starts with one stored update holding the first text."""
    require_write(access)
    title = clean_text(title, field="title", max_length=MAX_TITLE, required=True, empty=NO_TITLE)
    body = check_text(text) if text is not None else template_text(template, title)
    protocol = Protocol(
        space_id=access.space.id,  # type: ignore[arg-type]
        title=title,
        template=template if template in TEMPLATES else "blank",
        created_by_id=access.user.id,
    )
    session.add(protocol)
    session.flush()
    doc = store.new_doc()
    ytext = store.doc_text(doc)
    ytext.insert(0, body)
    protocol.last_seq, protocol.text, protocol.text_seq = 1, body, 1
    protocol.revision_count = 1
    session.add(
        ProtocolUpdate(
            protocol_id=int(protocol.id or 0), seq=1, data=doc.get_update(), user_id=access.user.id
        )
    )
    session.add(
        ProtocolRevision(
            protocol_id=protocol.id,  # type: ignore[arg-type]
            number=1,
            kind=RevisionKind.created,
            text=body,
            seq=1,
            author_id=access.user.id,
            credited_ids=str(access.user.id),
        )
    )
    session.flush()
    sync_action_items(session, protocol=protocol, text=body, actor_id=access.user.id)
    publish(session, ProtocolCreated(protocol=protocol))
    return protocol


def list_protocols(
    session: Session,
    *,
    access: SpaceAccess,
    query: str = "",
    archived: bool = False,
    cursor: str | None = None,
    limit: int = 20,
) -> Page[tuple[Protocol, User | None]]:
    """Protocols of a space the person may read, newest change first, keyset-paginated."""
    require_read(access)
    after = Cursor.decode(cursor)
    stmt = (
        select(Protocol, User)
        .outerjoin(User, col(User.id) == col(Protocol.created_by_id))
        .where(Protocol.space_id == access.space.id)
        .order_by(col(Protocol.updated_at).desc(), col(Protocol.id).desc())
        .limit(limit + 1)
    )
    stmt = stmt.where(
        col(Protocol.archived_at).is_not(None) if archived else col(Protocol.archived_at).is_(None)
    )
    if query.strip():
        term = without_forbidden(query).strip().lower()
        stmt = stmt.where(func.lower(Protocol.title).contains(term))
    if after is not None:
        stmt = stmt.where(
            or_(
                col(Protocol.updated_at) < after.at,
                (col(Protocol.updated_at) == after.at) & (col(Protocol.id) < after.id),
            )
        )
    rows: list[tuple[Protocol, User | None]] = [(p, u) for p, u in session.exec(stmt).all()]
    next_cursor = None
    if len(rows) > limit:
        rows = rows[:limit]
        last = rows[-1][0]
        next_cursor = Cursor(last.updated_at, last.id).encode()  # type: ignore[arg-type]
    return Page(items=rows, next_cursor=next_cursor)


def live_text(protocol_id: int) -> tuple[str, int]:
    """The document's text and seq, from the room (loading it if this process has none)."""
    return read_text(protocol_id)


def derived_text(protocol_id: int) -> tuple[str, int]:
    """Rebuild the text by replaying the stored document (what a fresh process would see)."""
    loaded = store.load_doc(protocol_id)
    return str(store.doc_text(loaded.doc)), loaded.seq


def refresh_text(session: Session, *, protocol: Protocol, actor_id: int | None = None) -> Protocol:
    """Make the stored Markdown match the document, if updates came in since it was derived."""
    if protocol.text_seq >= protocol.last_seq:
        return protocol
    text, seq = live_text(protocol.id)  # type: ignore[arg-type]
    session.execute(
        update(Protocol)
        .where(col(Protocol.id) == protocol.id, col(Protocol.text_seq) < seq)
        .values(text=text, text_seq=seq, updated_at=utcnow())
    )
    sync_action_items(session, protocol=protocol, text=text, actor_id=actor_id)
    session.flush()
    session.refresh(protocol)
    return protocol


@dataclass
class ProtocolView:
    protocol: Protocol
    access: SpaceAccess
    contributors: list[tuple[User, int]]


def load_protocol(session: Session, *, user: User, protocol_id: int) -> ProtocolView:
    protocol, access = protocol_access(session, user, protocol_id)
    refresh_text(session, protocol=protocol, actor_id=user.id)
    rows = session.exec(
        select(User, ProtocolContributor.edits)
        .join(ProtocolContributor, col(ProtocolContributor.user_id) == col(User.id))
        .where(ProtocolContributor.protocol_id == protocol_id)
        .order_by(col(ProtocolContributor.edits).desc())
        .limit(50)
    ).all()
    return ProtocolView(protocol, access, [(u, int(n)) for u, n in rows])


def set_locked(session: Session, *, user: User, protocol_id: int, locked: bool) -> Protocol:
    """Hosts lock a protocol against edits; unlocking is audited."""
    protocol, access = protocol_access(session, user, protocol_id)
    require_moderate(access)
    if locked and protocol.locked_at is None:
        protocol.locked_at, protocol.locked_by_id = utcnow(), user.id
    elif not locked and protocol.locked_at is not None:
        protocol.locked_at, protocol.locked_by_id = None, None
        record_audit(
            session,
            actor=user,
            action="protocol.unlock",
            target_type="protocol",
            target_id=protocol.id,
            space_id=protocol.space_id,
        )
    session.add(protocol)
    session.flush()
    return protocol


def set_archived(session: Session, *, user: User, protocol_id: int, archived: bool) -> Protocol:
    protocol, access = protocol_access(session, user, protocol_id)
    if not (access.can_moderate or (access.can_write and protocol.created_by_id == user.id)):
        raise Forbidden("Only hosts and the author may archive a protocol")
    protocol.archived_at = utcnow() if archived else None
    session.add(protocol)
    session.flush()
    return protocol


def mark_published(session: Session, *, protocol: Protocol, when: datetime) -> None:
    protocol.status, protocol.published_at = ProtocolStatus.published, when
    session.add(protocol)
    session.flush()


def export_markdown(session: Session, *, user: User, protocol_id: int) -> tuple[Protocol, str]:
    view = load_protocol(session, user=user, protocol_id=protocol_id)
    return view.protocol, view.protocol.text


def replay_stored(protocol_id: int) -> Doc:
    """A fresh Doc from the database alone (tests and tooling compare rooms against it)."""
    return store.load_doc(protocol_id).doc
