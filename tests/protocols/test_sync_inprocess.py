"""The live sync through the app in-process (TestClient WebSockets)."""

import pytest
from starlette.websockets import WebSocketDisconnect

from app.protocols import service
from app.protocols.rooms import registry
from app.spaces.access import access_for
from tests.factories import make_space, make_token, make_user
from tests.protocols.yclient import YClient


@pytest.fixture(autouse=True)
def _fresh_rooms():
    registry.clear()
    yield
    registry.clear()


def make_protocol(session, host, space, text="# Minutes\n"):
    protocol = service.create_protocol(
        session, access=access_for(session, host, space), title="Weekly", text=text
    )
    session.commit()
    return protocol


def connect(client, protocol_id, token):
    return client.websocket_connect(
        f"/api/v1/protocols/{protocol_id}/sync", headers={"Authorization": f"Bearer {token}"}
    )


def handshake(ws, y: YClient) -> None:
    ws.send_bytes(y.hello())
    while not y.synced:
        for reply in y.feed(ws.receive_bytes()):
            ws.send_bytes(reply)


def test_two_clients_see_each_others_text_and_it_is_stored(session, client):
    host = make_user(session)
    space = make_space(session, host=host)
    protocol = make_protocol(session, host, space)
    token = make_token(session, user=host)
    a, b = YClient(), YClient()
    with connect(client, protocol.id, token) as wa, connect(client, protocol.id, token) as wb:
        handshake(wa, a)
        handshake(wb, b)
        assert a.value() == "# Minutes\n"
        for m in a.type(len(a.text), "hello"):
            wa.send_bytes(m)
        while b.value() != "# Minutes\nhello":
            b.feed(wb.receive_bytes())
    stored = service.replay_stored(protocol.id)
    assert str(stored.get("content", type=type(a.text))) == "# Minutes\nhello"


def test_outsider_of_a_private_space_cannot_connect(session, client):
    host, outsider = make_user(session), make_user(session)
    space = make_space(session, host=host, visibility="private")
    protocol = make_protocol(session, host, space)
    token = make_token(session, user=outsider)
    with pytest.raises(WebSocketDisconnect) as info, connect(client, protocol.id, token) as ws:
        ws.receive_bytes()
    assert info.value.code == 4404 or info.value.code == 1008 or info.value.code == 403
