"""Two app processes on one database: someone removed from the space while connected to one
process is closed (4403) before an edit made through the other process reaches them.

The edit reaches the second process by a notice (PostgreSQL) or its poll (SQLite, every 0.3 s
here), well inside the 2 s of the periodic access check: only the check made before sending
can close the socket in time."""

import asyncio

from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed

from app.spaces.access import access_for
from app.spaces.service import remove_member
from tests.conftest import TEST_DATABASE_URL
from tests.factories import make_space, make_token, make_user
from tests.protocols.live import LiveServer
from tests.protocols.yclient import YClient

SECRET_WORDS = "written after the removal"


def _url(server: LiveServer, protocol_id: int) -> str:
    return f"ws://127.0.0.1:{server.port}/api/v1/protocols/{protocol_id}/sync"


async def _joined(url: str, token: str, y: YClient):  # type: ignore[no-untyped-def]
    ws = await connect(url, additional_headers={"Authorization": f"Bearer {token}"})
    await ws.send(y.hello())
    while not y.synced:
        for reply in y.feed(await asyncio.wait_for(ws.recv(), 10)):
            await ws.send(reply)
    return ws


def test_removed_member_on_another_process_never_gets_the_next_edit(session, make_protocol):
    host, member = make_user(session), make_user(session)
    space = make_space(session, host=host, members=(member,), visibility="private")
    protocol = make_protocol(host, space)
    host_token, member_token = make_token(session, user=host), make_token(session, user=member)
    on_postgres = TEST_DATABASE_URL.startswith("postgresql")
    env = {"AGORA_PROTOCOL_POLL_SECONDS": "60" if on_postgres else "0.3"}
    editing = LiveServer(8321, TEST_DATABASE_URL, env).start()
    watching = LiveServer(8322, TEST_DATABASE_URL, env).start()

    async def scenario() -> tuple[int | None, str, str]:
        hy, my, witness = YClient(), YClient(), YClient()
        host_ws = await _joined(_url(editing, protocol.id), host_token, hy)
        member_ws = await _joined(_url(watching, protocol.id), member_token, my)
        # Someone who stays, on the same process as the removed member: the edit does arrive.
        witness_ws = await _joined(_url(watching, protocol.id), host_token, witness)
        remove_member(session, access=access_for(session, host, space), user_id=member.id)
        session.commit()
        for message in hy.type(len(hy.text), SECRET_WORDS):
            await host_ws.send(message)
        code = None
        try:
            while True:
                my.feed(await asyncio.wait_for(member_ws.recv(), 10))
        except ConnectionClosed as closed:
            code = closed.rcvd.code if closed.rcvd else None
        while SECRET_WORDS not in witness.value():
            witness.feed(await asyncio.wait_for(witness_ws.recv(), 10))
        for ws in (host_ws, witness_ws):
            await ws.close()
        return code, my.value(), witness.value()

    try:
        code, removed_sees, witness_sees = asyncio.run(scenario())
    finally:
        editing.stop()
        watching.stop()
    assert SECRET_WORDS not in removed_sees
    assert code == 4403
    assert SECRET_WORDS in witness_sees
