"""The live sync through the app in-process (TestClient WebSockets): access and robustness."""

import threading
import time

import pytest
from pycrdt import Text
from starlette.websockets import WebSocketDisconnect

from app.protocols import housekeeping, service, store, sync
from app.protocols.rooms import registry
from app.spaces.access import access_for
from app.spaces.service import remove_member
from tests.factories import make_space, make_token, make_user
from tests.protocols.yclient import YClient, awareness_message


def connect(client, protocol_id, token):
    return client.websocket_connect(
        f"/api/v1/protocols/{protocol_id}/sync", headers={"Authorization": f"Bearer {token}"}
    )


def handshake(ws, y: YClient) -> None:
    ws.send_bytes(y.hello())
    while not y.synced:
        for reply in y.feed(ws.receive_bytes()):
            ws.send_bytes(reply)


def replayed(protocol_id: int) -> Text:
    return service.replay_stored(protocol_id).get("content", type=Text)


def closed_code(ws) -> int:
    try:
        while True:
            ws.receive_bytes()
    except WebSocketDisconnect as exc:
        return exc.code


def test_two_clients_see_each_others_text_and_it_is_stored(session, client, make_protocol):
    host = make_user(session)
    space = make_space(session, host=host)
    protocol = make_protocol(host, space)
    token = make_token(session, user=host)
    a, b = YClient(), YClient()
    with connect(client, protocol.id, token) as wa, connect(client, protocol.id, token) as wb:
        handshake(wa, a)
        handshake(wb, b)
        assert a.value() == "# Minutes\n"
        for m in a.type(len(a.text), "hello ä"):
            wa.send_bytes(m)
        while b.value() != "# Minutes\nhello ä":
            b.feed(wb.receive_bytes())
    stored = service.replay_stored(protocol.id)
    assert str(stored.get("content", type=Text)) == "# Minutes\nhello ä"


def test_presence_is_relayed_to_the_others(session, client, make_protocol):
    host = make_user(session)
    space = make_space(session, host=host)
    protocol = make_protocol(host, space)
    token = make_token(session, user=host)
    a, b = YClient(), YClient()
    with connect(client, protocol.id, token) as wa, connect(client, protocol.id, token) as wb:
        handshake(wa, a)
        handshake(wb, b)
        wa.send_bytes(awareness_message(4242, 1, '{"user":{"name":"Anna"}}'))
        while not b.awareness:
            b.feed(wb.receive_bytes())
        assert b"Anna" in b.awareness[0]


@pytest.mark.parametrize("visibility", ["private", "secret"])
def test_outsider_cannot_connect(session, client, make_protocol, visibility):
    host, outsider = make_user(session), make_user(session)
    space = make_space(session, host=host, visibility=visibility)
    protocol = make_protocol(host, space)
    token = make_token(session, user=outsider)
    with pytest.raises(WebSocketDisconnect) as info, connect(client, protocol.id, token) as ws:
        ws.receive_bytes()
    assert info.value.code == 4404


def test_no_credentials_no_connection(session, client, make_protocol):
    host = make_user(session)
    protocol = make_protocol(host, make_space(session, host=host))
    with (
        pytest.raises(WebSocketDisconnect),
        client.websocket_connect(f"/api/v1/protocols/{protocol.id}/sync") as ws,
    ):
        ws.receive_bytes()


def test_reader_without_write_rights_is_dropped_when_sending_an_edit(
    session, client, make_protocol
):
    host, reader = make_user(session), make_user(session)
    space = make_space(session, host=host)  # public: readable, but only members write
    protocol = make_protocol(host, space)
    y = YClient()
    with connect(client, protocol.id, make_token(session, user=reader)) as ws:
        handshake(ws, y)
        for m in y.type(0, "vandal "):
            ws.send_bytes(m)
        assert closed_code(ws) == 4403
    assert "vandal" not in service.derived_text(protocol.id)[0]


def test_member_removed_from_the_space_is_disconnected_at_once(session, client, make_protocol):
    host, member = make_user(session), make_user(session)
    space = make_space(session, host=host, members=(member,), visibility="private")
    protocol = make_protocol(host, space)
    housekeeping.Timing.access_every, saved = 0.2, housekeeping.Timing.access_every
    try:
        y = YClient()
        with connect(client, protocol.id, make_token(session, user=member)) as ws:
            handshake(ws, y)
            remove_member(session, access=access_for(session, host, space), user_id=member.id)
            session.commit()
            started = time.monotonic()
            assert closed_code(ws) == 4403
            assert time.monotonic() - started < 3
    finally:
        housekeeping.Timing.access_every = saved


def test_huge_and_garbage_messages_only_drop_the_sender(session, client, make_protocol):
    host = make_user(session)
    protocol = make_protocol(host, make_space(session, host=host))
    token = make_token(session, user=host)
    good = YClient()
    with connect(client, protocol.id, token) as wg:
        handshake(wg, good)
        with connect(client, protocol.id, token) as huge:
            huge.send_bytes(b"\x00\x02" + b"\x80" * (3 * 1024 * 1024))
            assert closed_code(huge) == 1009
        with connect(client, protocol.id, token) as junk:
            junk.send_bytes(b"\x00\x02\x05hello")
            assert closed_code(junk) == 4400
        for m in good.type(0, "still here "):
            wg.send_bytes(m)
        time.sleep(0.3)
    assert service.derived_text(protocol.id)[0].startswith("still here ")


def test_two_first_connections_create_one_room(session, make_protocol, monkeypatch):
    host = make_user(session)
    protocol = make_protocol(host, make_space(session, host=host))
    loads: list[int] = []
    real_load = store.load_doc

    def slow_load(protocol_id):
        loads.append(protocol_id)
        time.sleep(0.2)  # both callers are surely inside get() at once
        return real_load(protocol_id)

    monkeypatch.setattr(store, "load_doc", slow_load)
    rooms: list[object] = []
    threads = [
        threading.Thread(target=lambda: rooms.append(registry.get(protocol.id))) for _ in range(2)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert rooms[0] is rooms[1]
    assert loads == [protocol.id]


def test_a_flooding_client_is_closed_and_the_others_keep_editing(
    session, client, make_protocol, monkeypatch
):
    monkeypatch.setattr(sync.RateLimit, "message_burst", 40.0)
    monkeypatch.setattr(sync.RateLimit, "messages_per_second", 5.0)
    host = make_user(session)
    protocol = make_protocol(host, make_space(session, host=host))
    token = make_token(session, user=host)
    good, flooder = YClient(), YClient()
    with connect(client, protocol.id, token) as wg:
        handshake(wg, good)
        with connect(client, protocol.id, token) as wf:
            handshake(wf, flooder)
            for n in range(200):
                for m in flooder.type(0, f"f{n} "):
                    wf.send_bytes(m)
            assert closed_code(wf) == sync.CLOSE_TOO_MANY
        for m in good.type(len(good.text), "calm edit"):
            wg.send_bytes(m)
        deadline = time.monotonic() + 5
        while "calm edit" not in (stored := str(replayed(protocol.id))):
            assert time.monotonic() < deadline, stored
            time.sleep(0.05)
    flooded = [part for part in stored.split() if part.startswith("f")]
    assert 30 <= len(flooded) < 60  # its burst got through, the flood did not


def test_rate_limit_counts_bytes_too(monkeypatch):
    limit = sync.RateLimit()
    assert limit.allow(sync.MAX_MESSAGE)  # coming back from offline with a big state is fine
    assert limit.allow(sync.MAX_MESSAGE)
    assert not limit.allow(sync.MAX_MESSAGE)  # a third one at once is a flood


def _token_last_used(session, token):
    from sqlmodel import select

    from app.core.security import hash_token
    from app.people.models import ApiToken

    session.rollback()  # the write came from the handshake's own session
    session.expire_all()
    stored = session.exec(select(ApiToken).where(ApiToken.token_hash == hash_token(token)))
    return stored.one().last_used_at


def test_live_editing_with_a_token_records_its_use_refused_or_not(session, client, make_protocol):
    host, outsider = make_user(session), make_user(session)
    protocol = make_protocol(host, make_space(session, host=host, visibility="private"))
    editing, refused = make_token(session, user=host), make_token(session, user=outsider)

    with connect(client, protocol.id, editing) as ws:
        handshake(ws, YClient())
    with pytest.raises(WebSocketDisconnect), connect(client, protocol.id, refused) as ws:
        ws.receive_bytes()

    assert _token_last_used(session, editing) is not None
    assert _token_last_used(session, refused) is not None
