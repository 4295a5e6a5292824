"""What the protocols domain does when a person is erased (app/people/erasure.py).

Their credits in the history go; their edits stay in the shared text, with no name beside them.
Every protocol that names them (by @handle or full name) loses the name in every stored form:
the live document gets the edit as a CRDT change (so editors that were open converge on it
instead of bringing the name back when they resync), and then that document, replayed, becomes
the whole stored history (`store.replace_history`): the snapshot holds no deleted text and the
update log, which does, is gone. The derived text, the revisions (text, submitted text, note),
the title and the action items are rewritten too. Open rooms notice the gap at their next
catch-up (PostgreSQL notice or the poll) and are rebuilt; their clients resync from the new
snapshot.
"""

from sqlalchemy import update
from sqlmodel import Session, col, select

from app.core.domain_events import PersonErasing
from app.core.text import without_forbidden
from app.people.erasure import erased_name, name_pattern, naming, rewrite_columns
from app.people.models import User
from app.protocols import store
from app.protocols.actions import parse_action_items, sync_action_items
from app.protocols.models import ActionItem, Protocol, ProtocolRevision
from app.protocols.rooms import apply_edits_to_text


def _drop_credits(session: Session, user_id: int) -> None:
    erased = str(user_id)
    candidates = session.exec(
        select(ProtocolRevision).where(col(ProtocolRevision.credited_ids).contains(erased))
    ).all()
    for revision in candidates:
        credited = [i for i in revision.credited_ids.split(",") if i and i != erased]
        if len(credited) != len(revision.credited_ids.split(",")):
            revision.credited_ids = ",".join(credited)
            session.add(revision)


def _candidates(session: Session, user: User) -> list[int]:
    """Protocols whose stored text names the person, and those whose derived text lags the
    live document (the name may have been typed in the last seconds)."""
    ids = set(
        session.exec(
            select(Protocol.id).where(
                naming(user, Protocol.title, Protocol.text)
                | (col(Protocol.text_seq) < col(Protocol.last_seq))
            )
        ).all()
    )
    ids.update(
        session.exec(
            select(ProtocolRevision.protocol_id).where(
                naming(
                    user,
                    ProtocolRevision.text,
                    ProtocolRevision.submitted_text,
                    ProtocolRevision.note,
                )
            )
        ).all()
    )
    ids.update(
        session.exec(select(ActionItem.protocol_id).where(naming(user, ActionItem.text))).all()
    )
    return sorted(i for i in ids if i is not None)


def _rewrite_document(session: Session, protocol: Protocol, user: User) -> None:
    """Edit the live document, store it as the whole history, and bring text and items along."""
    pattern = name_pattern(handle=user.handle, display_name=user.display_name)
    pid = int(protocol.id or 0)
    snapshot, after = protocol.snapshot, protocol.snapshot_seq
    doc = store.new_doc()
    ytext = store.doc_text(doc)
    if snapshot:
        doc.apply_update(bytes(snapshot))
    store.apply_all(doc, (data for _seq, data in store.fetch_updates(session, pid, after)))
    current = str(ytext)
    edits = [(m.start(), m.end(), erased_name()) for m in pattern.finditer(current)]
    with doc.transaction(origin="erasure"):
        apply_edits_to_text(ytext, current, edits)
    text = without_forbidden(str(store.doc_text(doc)))
    seq = store.replace_history(session, pid, doc)
    # Items are keyed by their line: rename the keys the way the lines changed, so a rewritten
    # line keeps its row (done, assignee, notified) instead of leaving an old row behind.
    old_items, new_items = parse_action_items(current), parse_action_items(text)
    renamed = {
        old.key: new.key
        for old, new in zip(old_items, new_items, strict=False)
        if old.key != new.key
    }
    rows = session.exec(
        select(ActionItem).where(
            col(ActionItem.protocol_id) == pid, col(ActionItem.key).in_(renamed)
        )
    ).all()
    taken = set(
        session.exec(select(ActionItem.key).where(col(ActionItem.protocol_id) == pid)).all()
    ) - set(renamed)
    moving = [(row, renamed[row.key]) for row in rows if renamed[row.key] not in taken]
    for row, _key in moving:  # two steps: a new key may be another moving row's old one
        row.key = f"erasing-{row.id}"
        session.add(row)
    session.flush()
    for row, key in moving:
        row.key = key
        session.add(row)
    session.execute(update(Protocol).where(col(Protocol.id) == pid).values(text=text, text_seq=seq))
    session.flush()
    session.refresh(protocol)
    sync_action_items(session, protocol=protocol, text=text, actor_id=None)


def erase_from_protocols(session: Session, fact: PersonErasing) -> None:
    user = fact.user
    _drop_credits(session, int(user.id or 0))
    for pid in _candidates(session, user):
        # The row lock holds off compactions and stores of other processes until we commit.
        protocol = session.exec(
            select(Protocol)
            .where(col(Protocol.id) == pid)
            .with_for_update()
            .execution_options(populate_existing=True)
        ).one()
        _rewrite_document(session, protocol, user)
    rewrite_columns(
        session, user, ProtocolRevision.text, ProtocolRevision.submitted_text, ProtocolRevision.note
    )
    rewrite_columns(session, user, Protocol.title)
    rewrite_columns(session, user, ActionItem.text)
