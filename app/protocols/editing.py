"""Edits that do not come from a live editor: form/API saves with a three-way merge, restoring
a revision, ticking an action item. Each becomes one stored update of the live document, so
everyone editing live converges on the same text. Also revisions and their history."""

import difflib
from dataclasses import dataclass

from sqlalchemy import update
from sqlmodel import Session, col, select

from app.core import domain_events
from app.core.db import get_engine, utcnow
from app.core.domain_events import ProtocolSaved
from app.core.errors import Forbidden, Invalid, NotFound
from app.core.text import without_forbidden
from app.people.models import User
from app.protocols.access import protocol_access, require_edit
from app.protocols.actions import checkbox_edit, decision_edit, sync_action_items
from app.protocols.merge import text_edits, three_way
from app.protocols.models import (
    ActionItem,
    Protocol,
    ProtocolContributor,
    ProtocolRevision,
    RevisionKind,
)
from app.protocols.rooms import edit_text, read_text, registry
from app.protocols.service import check_text, mark_published


@dataclass
class SaveResult:
    revision: ProtocolRevision
    merged: bool
    conflict: bool
    text: str  # the document text after the save (theirs, on a conflict)
    submitted: str


def _next_revision_number(session: Session, protocol_id: int) -> int:
    # Same counter-row pattern as the update seqs: concurrent saves never share a number.
    row = session.execute(
        update(Protocol)
        .where(col(Protocol.id) == protocol_id)
        .values(revision_count=Protocol.revision_count + 1)
        .returning(col(Protocol.revision_count))
    ).first()
    if row is None:
        raise NotFound("Protocol not found")
    return int(row[0])


def _credited_since(session: Session, protocol_id: int) -> str:
    previous = session.exec(
        select(ProtocolRevision.created_at)
        .where(ProtocolRevision.protocol_id == protocol_id, ProtocolRevision.state != "pending")
        .order_by(col(ProtocolRevision.number).desc())
        .limit(1)
    ).first()
    stmt = select(ProtocolContributor.user_id).where(ProtocolContributor.protocol_id == protocol_id)
    if previous is not None:
        stmt = stmt.where(col(ProtocolContributor.last_edit_at) >= previous)
    return ",".join(str(i) for i in sorted(session.exec(stmt).all()))


def record_revision(
    session: Session,
    *,
    protocol_id: int,
    kind: RevisionKind,
    text: str,
    seq: int,
    author_id: int | None,
    note: str = "",
) -> ProtocolRevision:
    credited = _credited_since(session, protocol_id)
    # Text typed into a form is checked (check_text); live edits can still carry a control
    # character into the document, and the stored Markdown must hold on every engine.
    text = without_forbidden(text)
    revision = ProtocolRevision(
        protocol_id=protocol_id,
        number=_next_revision_number(session, protocol_id),
        kind=kind,
        text=text,
        seq=seq,
        author_id=author_id,
        credited_ids=credited or (str(author_id) if author_id else ""),
        note=note[:200],
    )
    session.add(revision)
    session.flush()
    return revision


def _keep_submission(protocol_id: int, user_id: int, base: int, submitted: str) -> int:
    """Store the submitted text in its own committed transaction before anything else runs."""
    with Session(get_engine()) as own:
        number = _next_revision_number(own, protocol_id)
        revision = ProtocolRevision(
            protocol_id=protocol_id,
            number=number,
            kind=RevisionKind.form,
            submitted_text=submitted,
            base_number=base,
            state="pending",
            author_id=user_id,
            credited_ids=str(user_id),
        )
        own.add(revision)
        own.commit()
        return int(revision.id)  # type: ignore[arg-type]


def _after_change(
    session: Session, protocol: Protocol, text: str, seq: int, actor: int | None
) -> None:
    text = without_forbidden(text)  # as in record_revision
    session.execute(
        update(Protocol)
        .where(col(Protocol.id) == protocol.id, col(Protocol.text_seq) < seq)
        .values(text=text, text_seq=seq, updated_at=utcnow())
    )
    sync_action_items(session, protocol=protocol, text=text, actor_id=actor)
    domain_events.publish(session, ProtocolSaved(protocol=protocol, by_id=actor))


def save_text(
    session: Session, *, user: User, protocol_id: int, base_version: int, text: str
) -> SaveResult:
    """A plain form / API save: merge what changed since `base_version` into the live document.

    The submitted text is kept as a revision first (own transaction), so even a failed merge
    or a closed tab loses nothing. A real conflict leaves the document as it is.
    """
    protocol, access = protocol_access(session, user, protocol_id)
    require_edit(protocol, access)
    submitted = check_text(text)
    base = session.exec(
        select(ProtocolRevision).where(
            ProtocolRevision.protocol_id == protocol_id, ProtocolRevision.number == base_version
        )
    ).first()
    if base is None or base.state in ("pending", "conflict"):
        raise Invalid("Unknown base version", field="base_version")
    revision_id = _keep_submission(protocol_id, user.id, base_version, submitted)  # type: ignore[arg-type]
    outcome: dict[str, bool] = {}

    def merge(current: str) -> list[tuple[int, int, str]]:
        result = three_way(base.text, submitted, current)
        outcome["conflict"], outcome["merged"] = result.conflict, current != base.text
        return [] if result.conflict else text_edits(current, result.text)

    edit_text(protocol_id, merge, user.id)  # type: ignore[arg-type]
    after, seq = registry.get(protocol_id).text_and_seq()
    revision = session.get(ProtocolRevision, revision_id)
    assert revision is not None
    revision.text, revision.seq = after, seq
    revision.state = (
        "conflict" if outcome["conflict"] else ("merged" if outcome["merged"] else "clean")
    )
    session.add(revision)
    _after_change(session, protocol, after, seq, user.id)
    session.flush()
    return SaveResult(revision, outcome["merged"], outcome["conflict"], after, submitted)


def take_revision(
    session: Session, *, user: User | None, protocol_id: int, kind: RevisionKind, note: str = ""
) -> ProtocolRevision | None:
    """Record the current text as a named revision (on demand, at publish, when idle)."""
    text, seq = read_text(protocol_id)
    latest = latest_revision(session, protocol_id)
    if latest is not None and latest.text == text and kind == RevisionKind.idle:
        return None
    return record_revision(
        session,
        protocol_id=protocol_id,
        kind=kind,
        text=text,
        seq=seq,
        author_id=user.id if user else None,
        note=note,
    )


def latest_revision(session: Session, protocol_id: int) -> ProtocolRevision | None:
    return session.exec(
        select(ProtocolRevision)
        .where(
            ProtocolRevision.protocol_id == protocol_id,
            col(ProtocolRevision.state).in_(["done", "merged", "clean"]),
        )
        .order_by(col(ProtocolRevision.number).desc())
        .limit(1)
    ).first()


def current_version(session: Session, *, protocol_id: int) -> ProtocolRevision:
    """A revision whose text is the document's text now: the base for a form or API edit."""
    latest = latest_revision(session, protocol_id)
    text, _seq = read_text(protocol_id)
    if latest is not None and latest.text == text:
        return latest
    revision = take_revision(session, user=None, protocol_id=protocol_id, kind=RevisionKind.idle)
    return revision or latest  # type: ignore[return-value]


def save_manual_revision(
    session: Session, *, user: User, protocol_id: int, note: str
) -> ProtocolRevision:
    protocol, access = protocol_access(session, user, protocol_id)
    require_edit(protocol, access)
    revision = take_revision(
        session, user=user, protocol_id=protocol_id, kind=RevisionKind.manual, note=note
    )
    assert revision is not None
    return revision


def publish(session: Session, *, user: User, protocol_id: int) -> ProtocolRevision:
    protocol, access = protocol_access(session, user, protocol_id)
    require_edit(protocol, access)
    revision = take_revision(session, user=user, protocol_id=protocol_id, kind=RevisionKind.publish)
    assert revision is not None
    mark_published(session, protocol=protocol, when=utcnow())
    return revision


def list_revisions(session: Session, *, user: User, protocol_id: int) -> list[ProtocolRevision]:
    protocol_access(session, user, protocol_id)
    return list(
        session.exec(
            select(ProtocolRevision)
            .where(ProtocolRevision.protocol_id == protocol_id)
            .order_by(col(ProtocolRevision.number).desc())
            .limit(500)
        )
    )


def get_revision(
    session: Session, *, user: User, protocol_id: int, number: int
) -> ProtocolRevision:
    protocol_access(session, user, protocol_id)
    revision = session.exec(
        select(ProtocolRevision).where(
            ProtocolRevision.protocol_id == protocol_id, ProtocolRevision.number == number
        )
    ).first()
    if revision is None:
        raise NotFound("Revision not found")
    return revision


def revision_text(revision: ProtocolRevision) -> str:
    if revision.state == "conflict":
        return revision.submitted_text or ""
    return revision.text


def diff_lines(old: str, new: str) -> list[tuple[str, str]]:
    """A readable line diff: ("add" | "del" | "same" | "gap", line)."""
    out: list[tuple[str, str]] = []
    for line in difflib.unified_diff(old.splitlines(), new.splitlines(), lineterm="", n=2):
        if line.startswith(("---", "+++")):
            continue
        if line.startswith("@@"):
            out.append(("gap", line))
        elif line.startswith("+"):
            out.append(("add", line[1:]))
        elif line.startswith("-"):
            out.append(("del", line[1:]))
        else:
            out.append(("same", line[1:]))
    return out


def restore(session: Session, *, user: User, protocol_id: int, number: int) -> ProtocolRevision:
    """Make the document read like an old revision again; that is itself a new revision."""
    protocol, access = protocol_access(session, user, protocol_id)
    require_edit(protocol, access)
    old = get_revision(session, user=user, protocol_id=protocol_id, number=number)
    target = revision_text(old) or ""
    edit_text(protocol_id, lambda current: text_edits(current, target), user.id)  # type: ignore[arg-type]
    text, seq = registry.get(protocol_id).text_and_seq()
    _after_change(session, protocol, text, seq, user.id)
    return record_revision(
        session,
        protocol_id=protocol_id,
        kind=RevisionKind.restore,
        text=text,
        seq=seq,
        author_id=user.id,
        note=f"from revision {number}",
    )


def set_action_item_done(session: Session, *, user: User, item_id: int, done: bool) -> ActionItem:
    """Tick an item: edits its line in the document, so the protocol shows it ticked too."""
    item = session.get(ActionItem, item_id)
    if item is None:
        raise NotFound("Action item not found")
    protocol, access = protocol_access(session, user, item.protocol_id)
    if item.assignee_id != user.id:
        require_edit(protocol, access)
    elif protocol.locked_at is not None:
        raise Forbidden("This protocol is locked")
    protocol_id: int = protocol.id  # type: ignore[assignment]
    edit_text(protocol_id, lambda current: checkbox_edit(current, item.key, done), user.id)  # type: ignore[arg-type]
    text, seq = registry.get(protocol_id).text_and_seq()
    _after_change(session, protocol, text, seq, user.id)
    session.refresh(item)
    return item


def add_decision(
    session: Session, *, user: User, protocol_id: int, decision: str, heading: str
) -> None:
    """Write a decision into the live document (under its Decisions heading), as the person."""
    protocol, access = protocol_access(session, user, protocol_id)
    require_edit(protocol, access)
    edit_text(
        protocol_id,
        lambda current: decision_edit(current, decision, heading=heading),
        user.id,  # type: ignore[arg-type]
    )
    text, seq = registry.get(protocol_id).text_and_seq()
    _after_change(session, protocol, text, seq, user.id)


def save_derived_text(protocol_id: int, text: str, seq: int) -> None:
    """Housekeeping: store the text a room derived and re-parse its action items."""
    with Session(get_engine()) as session:
        protocol = session.get(Protocol, protocol_id)
        if protocol is None or protocol.text_seq >= seq:
            return
        _after_change(session, protocol, text, seq, None)
        session.commit()


def idle_revision(protocol_id: int) -> None:
    with Session(get_engine()) as session:
        take_revision(session, user=None, protocol_id=protocol_id, kind=RevisionKind.idle)
        session.commit()


def store_text_now(protocol_id: int) -> None:
    room = registry.get(protocol_id)
    save_derived_text(protocol_id, *room.text_and_seq())
