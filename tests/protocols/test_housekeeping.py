"""Compaction, rebuilding rooms, idle revisions and the derived text."""

import time

from sqlmodel import Session, func, select

from app.core.db import get_engine
from app.protocols import editing, housekeeping, service, store
from app.protocols.models import Protocol, ProtocolRevision, ProtocolUpdate
from app.protocols.rooms import Room, edit_text, registry
from tests.factories import make_space, make_token, make_user
from tests.protocols.test_sync_inprocess import connect, handshake
from tests.protocols.yclient import YClient


def _append(room: Room, user_id: int, words: list[str]) -> None:
    for word in words:
        room.change_text(lambda current, w=word: [(len(current), len(current), w + " ")], user_id)


def _updates(protocol_id: int) -> int:
    with Session(get_engine()) as s:
        return s.exec(select(func.count()).where(ProtocolUpdate.protocol_id == protocol_id)).one()


def test_compaction_replays_into_a_snapshot_and_keeps_the_text(session, make_protocol):
    host = make_user(session)
    protocol = make_protocol(host, make_space(session, host=host), text="")
    room = registry.get(protocol.id)
    _append(room, host.id, [f"w{i}" for i in range(30)])
    assert _updates(protocol.id) == 31

    assert housekeeping.compact_room(room)

    assert _updates(protocol.id) == 0
    _append(room, host.id, ["after"])
    registry.clear()
    loaded = store.load_doc(protocol.id)
    assert loaded.snapshot_seq == 31
    assert loaded.replayed == 1
    assert str(store.doc_text(loaded.doc)) == " ".join(f"w{i}" for i in range(30)) + " after "


def test_a_room_behind_a_compaction_elsewhere_rebuilds_instead_of_missing_updates(
    session, make_protocol
):
    host = make_user(session)
    protocol = make_protocol(host, make_space(session, host=host), text="")
    mine = registry.get(protocol.id)
    elsewhere = Room(protocol.id, store.load_doc(protocol.id))  # another process's room
    _append(elsewhere, host.id, ["a", "b", "c"])
    housekeeping.compact_room(elsewhere)
    _append(elsewhere, host.id, ["d"])

    assert mine.catch_up() == 0
    assert mine.broken
    fresh = registry.get(protocol.id)
    assert fresh is not mine
    assert fresh.text() == "a b c d "


def test_an_edit_in_a_room_behind_a_compaction_elsewhere_keeps_every_stored_update(
    session, make_protocol
):
    """A form or API save in a room that missed updates another process then compacted away:
    the room once skipped the gap silently, stored its edit on top, and its own compaction
    later wrote the incomplete document as the snapshot, losing those updates for good."""
    host = make_user(session)
    protocol = make_protocol(host, make_space(session, host=host), text="")
    mine = registry.get(protocol.id)
    elsewhere = Room(protocol.id, store.load_doc(protocol.id))  # another process's room
    _append(elsewhere, host.id, ["a", "b"])
    housekeeping.compact_room(elsewhere)

    edit_text(protocol.id, lambda current: [(len(current), len(current), "mine ")], host.id)

    assert registry.get(protocol.id).text() == "a b mine "
    housekeeping.compact_room(registry.get(protocol.id))
    assert service.derived_text(protocol.id)[0] == "a b mine "
    assert not housekeeping.compact_room(mine)  # the stale room stores nothing


def test_a_read_in_a_room_behind_another_process_sees_what_is_stored(session, make_protocol):
    """A save through one process, then a read through another: the read answers the stored
    text, not the room's memory from before the save."""
    host = make_user(session)
    protocol = make_protocol(host, make_space(session, host=host), text="")
    registry.get(protocol.id)
    elsewhere = Room(protocol.id, store.load_doc(protocol.id))
    _append(elsewhere, host.id, ["saved"])

    assert service.live_text(protocol.id)[0] == "saved "
    assert editing.current_version(session, protocol_id=protocol.id).text == "saved "


def test_idle_revision_credits_everyone_who_edited(session, make_protocol):
    host, anna = make_user(session), make_user(session)
    protocol = make_protocol(host, make_space(session, host=host, members=(anna,)), text="")
    room = registry.get(protocol.id)
    _append(room, host.id, ["hello"])
    _append(room, anna.id, ["world"])
    editing.idle_revision(protocol.id)
    editing.idle_revision(protocol.id)  # nothing changed since: no second revision
    revisions = session.exec(select(ProtocolRevision).where(ProtocolRevision.kind == "idle")).all()
    assert len(revisions) == 1
    assert revisions[0].text == "hello world "
    assert set(revisions[0].credited_ids.split(",")) == {str(host.id), str(anna.id)}


def test_live_edits_reach_the_stored_markdown_when_typing_pauses(session, client, make_protocol):
    host = make_user(session)
    protocol = make_protocol(host, make_space(session, host=host), text="# T\n")
    saved = housekeeping.Timing.text_after_quiet
    housekeeping.Timing.text_after_quiet = 0.2
    try:
        y = YClient()
        with connect(client, protocol.id, make_token(session, user=host)) as ws:
            handshake(ws, y)
            for message in y.type(len(y.text), "- [ ] @nobody typed live\n"):
                ws.send_bytes(message)
            deadline = time.monotonic() + 5
            while time.monotonic() < deadline:
                with Session(get_engine()) as s:
                    text = s.get(Protocol, protocol.id).text  # type: ignore[union-attr]
                if "typed live" in text:
                    break
                time.sleep(0.1)
    finally:
        housekeeping.Timing.text_after_quiet = saved
    assert text == "# T\n- [ ] @nobody typed live\n"
    assert service.derived_text(protocol.id)[0] == text
