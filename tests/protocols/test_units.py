"""Smaller pieces: big-text diffs, notices, message coalescing, cookie sign-in on the socket,
and rooms retiring when everyone left."""

import asyncio
import threading
import time

import pytest
from pycrdt import Awareness, Decoder, Doc, Text, create_update_message
from starlette.websockets import WebSocketDisconnect

from app.protocols import housekeeping
from app.protocols.fanout import FanOut, Outgoing, merge_presence, merged
from app.protocols.merge import apply_edits, text_edits, three_way
from app.protocols.notify import notices
from app.protocols.rooms import registry
from app.protocols.sync import Connection, _update_payload
from tests.factories import make_space, make_token, make_user
from tests.protocols.test_sync_inprocess import connect, handshake
from tests.protocols.yclient import YClient, awareness_message


def test_big_texts_are_diffed_by_line_then_by_character():
    old = "".join(f"line {i} of the minutes\n" for i in range(400))
    new = old.replace("line 7 of", "line seven of").replace("line 300 of the minutes\n", "")
    new += "a new last line\n"
    edits = text_edits(old, new)
    assert apply_edits(old, edits) == new
    assert sum(len(r) for _s, _e, r in edits) < 40  # small edits, not a rewrite


def test_merge_of_untouched_and_identical_sides():
    assert three_way("a\n", "a\n", "b\n").text == "b\n"
    assert three_way("a\n", "b\n", "a\n").text == "b\n"
    assert three_way("a\n", "b\n", "b\n").text == "b\n"


def test_a_notice_for_a_newer_seq_marks_the_room_for_catching_up(session, make_protocol):
    host = make_user(session)
    protocol = make_protocol(host, make_space(session, host=host))
    room = registry.get(protocol.id)
    notices.deliver(protocol.id, room.seq)  # nothing new: ignored
    assert not room.catch_up_wanted
    notices.deliver(protocol.id, room.seq + 5)
    assert room.catch_up_wanted
    room.catch_up_wanted = False
    notices.deliver(0, 0)  # "look again, all of you" after a listener reconnect
    assert room.catch_up_wanted


def test_a_client_that_fell_behind_gets_queued_updates_as_one_frame():
    sent: list[bytes] = []

    class FakeSocket:
        async def send_bytes(self, data: bytes) -> None:
            sent.append(data)

        async def close(self, code: int) -> None:
            sent.append(b"closed")

    source = Doc()
    text = source.get("content", type=Text)
    updates: list[bytes] = []
    source.observe(lambda e: updates.append(e.update))
    for word in ("one ", "two ", "three "):
        text.insert(len(text), word)

    async def scenario() -> None:
        conn = Connection(FakeSocket(), user_id=1, can_write=True)  # type: ignore[arg-type]
        for update in updates:
            conn.deliver(create_update_message(update))
        conn.deliver(b"\x01\x01\x00")  # an awareness message keeps its place after them
        conn._close(1000)
        await conn.writer()

    asyncio.run(scenario())
    assert sent == [b"closed"]  # a client being dropped gets nothing more
    sent.clear()

    async def slow_reader() -> None:
        conn = Connection(FakeSocket(), user_id=1, can_write=True)  # type: ignore[arg-type]
        for update in updates:
            conn.deliver(create_update_message(update))
        conn.deliver(b"\x01\x01\x00")
        task = asyncio.create_task(conn.writer())
        await asyncio.sleep(0.05)
        conn._close(1000)
        await task

    asyncio.run(slow_reader())
    assert sent[-1] == b"closed"
    assert sent[1] == b"\x01\x01\x00"
    replica = Doc()
    replica_text = replica.get("content", type=Text)
    replica.apply_update(sent[0][3:] if sent[0][2] < 128 else sent[0][4:])
    assert str(replica_text) == "one two three "


def test_browser_session_cookie_works_only_from_our_own_origin(session, login, make_protocol):
    host = make_user(session)
    protocol = make_protocol(host, make_space(session, host=host, visibility="private"))
    browser = login(host)
    url = f"/api/v1/protocols/{protocol.id}/sync"
    y = YClient()
    with browser.websocket_connect(url, headers={"Origin": "http://testserver"}) as ws:
        handshake(ws, y)
    assert y.value() == "# Minutes\n"
    with (
        pytest.raises(WebSocketDisconnect),
        browser.websocket_connect(url, headers={"Origin": "https://evil.example"}) as ws,
    ):
        ws.receive_bytes()


def test_a_room_retires_when_everyone_left(session, client, make_protocol):
    host = make_user(session)
    protocol = make_protocol(host, make_space(session, host=host))
    saved = housekeeping.Timing.evict_after
    housekeeping.Timing.evict_after = 0.2
    try:
        y = YClient()
        with connect(client, protocol.id, make_token(session, user=host)) as ws:
            handshake(ws, y)
            for message in y.type(0, "bye "):
                ws.send_bytes(message)
            time.sleep(0.3)
        deadline = time.monotonic() + 5
        while registry.peek(protocol.id) is not None and time.monotonic() < deadline:
            time.sleep(0.1)
    finally:
        housekeeping.Timing.evict_after = saved
    assert registry.peek(protocol.id) is None
    from app.protocols.store import load_doc

    loaded = load_doc(protocol.id)
    assert loaded.replayed == 0  # compacted on the way out
    assert str(loaded.doc.get("content", type=Text)) == "bye # Minutes\n"


def test_fan_out_sends_one_merged_frame_for_what_piles_up():
    source = Doc()
    text = source.get("content", type=Text)
    updates: list[bytes] = []
    source.observe(lambda e: updates.append(e.update))
    for word in ("one ", "two ", "three "):
        text.insert(len(text), word)
    presence = b"\x01\x01\x00"

    class FakePeer:
        user_id = 1

        def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
            self.loop, self.awareness_ids, self.got = loop, set(), []

        def deliver(self, message: bytes) -> None:
            self.got.append(message)

        def close_soon(self, code: int, reason: str = "") -> None:
            raise AssertionError("nobody is closed here")

    async def scenario() -> tuple[FakePeer, FakePeer]:
        loop = asyncio.get_running_loop()
        a, b = FakePeer(loop), FakePeer(loop)
        fan = FanOut({a, b}, threading.Lock())  # type: ignore[arg-type]
        fan.min_gap = 0.3  # roomy, so a busy machine cannot blur "close behind"
        fan.send([Outgoing(updates[0], a)])  # the first after a pause goes out at once
        await asyncio.sleep(0)
        assert (a.got, b.got) == ([], [create_update_message(updates[0])])

        def from_a_worker_thread() -> None:  # as the storing thread does
            fan.send([Outgoing(updates[1], a)])
            fan.send([Outgoing(updates[2], b), Outgoing(presence, b, is_update=False)])

        await asyncio.to_thread(from_a_worker_thread)
        await asyncio.sleep(0)
        assert len(b.got) == 1  # close behind the first: it waits a moment for company
        await asyncio.sleep(0.6)
        return a, b

    a, b = asyncio.run(scenario())
    assert len(a.got) == 2 and a.got[1] == presence  # one merged update, then the presence
    assert len(b.got) == 2  # the merged update goes to its senders too; Yjs ignores repeats
    assert a.got[0] == b.got[1]
    replica = Doc()
    replica_text = replica.get("content", type=Text)
    replica.apply_update(updates[0])
    replica.apply_update(_update_payload(a.got[0]))
    assert str(replica_text) == "one two three "


def test_presence_messages_queued_together_become_one():
    anna = awareness_message(11, 1, '{"user":{"name":"Anna"}}')
    ben = awareness_message(22, 4, '{"user":{"name":"Ben"}}')
    anna_later = awareness_message(11, 2, '{"user":{"name":"Anna"},"cursor":1}')
    source, seen = Awareness(Doc()), Awareness(Doc())
    for message in (anna, ben, anna_later):
        source.apply_awareness_update(_awareness_payload(message), "test")
    seen.apply_awareness_update(_awareness_payload(merge_presence([anna, ben, anna_later])), "t")
    assert {k: seen.states[k] for k in (11, 22)} == {k: source.states[k] for k in (11, 22)}
    assert seen.states[11]["cursor"] == 1
    out = merged([Outgoing(anna, None, is_update=False), Outgoing(b"\x01junk", None, False)])
    assert [m for m, _ in out] == [anna, b"\x01junk"]  # an odd one is passed on as it came


def _awareness_payload(message: bytes) -> bytes:
    decoder = Decoder(message)
    decoder.read_var_uint()
    return decoder.read_message() or b""
