"""Integration: a dozen WebSocket clients typing while app processes are killed and restarted.

Asserts that the live document, a replay of the stored updates and the union of all typed
tokens agree. The two-process variant runs on PostgreSQL when AGORA_TEST_DATABASE_URL points at
one (notices via LISTEN/NOTIFY) and otherwise on the shared SQLite test database (peers find
each other's updates by polling the stored seq).
"""

import asyncio
import random

import pytest

from app.protocols import service
from app.protocols.store import doc_text
from tests.conftest import TEST_DATABASE_URL
from tests.factories import make_space, make_token, make_user
from tests.protocols.live import LiveServer
from tests.protocols.swarm import Typist, settle, tokens_in

CLIENTS = 12


def sync_path(protocol_id: int) -> str:
    return f"/api/v1/protocols/{protocol_id}/sync"


TOKENS_EACH = 25


def _setup(session, make_protocol):
    host = make_user(session)
    writers = [make_user(session) for _ in range(3)]
    space = make_space(session, host=host, members=tuple(writers), visibility="private")
    protocol = make_protocol(host, space, text="")
    tokens = [make_token(session, user=u) for u in [host, *writers]]
    return protocol, tokens


async def _run(
    servers: list[LiveServer], protocol_id: int, tokens: list[str], restart
) -> list[Typist]:
    typists = [
        Typist(
            name=f"c{i}",
            url=f"ws://127.0.0.1:{servers[i % len(servers)].port}{sync_path(protocol_id)}",
            token=tokens[i % len(tokens)],
        )
        for i in range(CLIENTS)
    ]
    stop = asyncio.Event()
    links = [asyncio.create_task(t.run_connection(stop)) for t in typists]
    await asyncio.wait_for(asyncio.gather(*(t.connected.wait() for t in typists)), 30)
    typing = asyncio.gather(*(t.type_tokens(TOKENS_EACH, 0.04) for t in typists))
    await asyncio.sleep(0.4)
    await asyncio.to_thread(restart)
    await typing
    expected = {token for t in typists for token in t.typed}
    await settle(typists, expected)
    stop.set()
    for link in links:
        link.cancel()
    await asyncio.gather(*links, return_exceptions=True)
    return typists


def _check(protocol_id: int, typists: list[Typist]) -> None:
    expected = {token for t in typists for token in t.typed}
    assert len(expected) == CLIENTS * TOKENS_EACH
    live = typists[0].client.value()
    stored = str(doc_text(service.replay_stored(protocol_id)))
    assert stored == live
    assert tokens_in(stored) == expected
    assert len(stored.split()) == len(expected)  # nothing duplicated either
    assert any(t.connections >= 2 for t in typists)  # they really went through a restart


def test_a_dozen_clients_survive_a_server_restart_without_losing_a_keystroke(
    session, make_protocol
):
    protocol, tokens = _setup(session, make_protocol)
    server = LiveServer(8310, TEST_DATABASE_URL).start()
    try:

        def restart() -> None:
            server.kill()
            server.start()

        typists = asyncio.run(_run([server], protocol.id, tokens, restart))
    finally:
        server.stop()
    _check(protocol.id, typists)


def test_two_app_processes_on_one_database_converge_through_restarts(session, make_protocol):
    protocol, tokens = _setup(session, make_protocol)
    # On PostgreSQL the notices must carry it (polling is all but off); SQLite can only poll.
    on_postgres = TEST_DATABASE_URL.startswith("postgresql")
    env = {"AGORA_PROTOCOL_POLL_SECONDS": "60" if on_postgres else "0.3"}
    servers = [
        LiveServer(8311, TEST_DATABASE_URL, env).start(),
        LiveServer(8312, TEST_DATABASE_URL, env).start(),
    ]
    try:

        def restart() -> None:
            victim = random.choice(servers)
            victim.kill()
            victim.start()

        typists = asyncio.run(_run(servers, protocol.id, tokens, restart))
    finally:
        for server in servers:
            server.stop()
    _check(protocol.id, typists)
    # Every client of both processes holds the same text, so the processes exchanged updates.
    assert len({t.client.value() for t in typists}) == 1


@pytest.mark.parametrize("garbage", [b"\xff\xff\xff\xff", b"\x00\x01\x05abc", b"\x07", b""])
def test_garbage_only_drops_the_sender(session, make_protocol, garbage):
    protocol, tokens = _setup(session, make_protocol)
    server = LiveServer(8313, TEST_DATABASE_URL).start()

    async def scenario() -> tuple[bool, str]:
        url = f"ws://127.0.0.1:8313/api/v1/protocols/{protocol.id}/sync"
        good, bad = Typist("good", url, tokens[0]), Typist("bad", url, tokens[1])
        stop = asyncio.Event()
        link = asyncio.create_task(good.run_connection(stop))
        await asyncio.wait_for(good.connected.wait(), 10)
        from websockets.asyncio.client import connect

        async with connect(url, additional_headers={"Authorization": f"Bearer {tokens[1]}"}) as ws:
            await ws.send(garbage)
            await ws.send(b"\x00\x02" + b"\xff" * 10 + b"junk")
            try:
                while True:
                    await asyncio.wait_for(ws.recv(), 5)
            except Exception as exc:
                dropped = "ConnectionClosed" in type(exc).__name__
        await good.type_tokens(3, 0.01)
        await settle([good], set(good.typed), timeout=5)
        stop.set()
        link.cancel()
        await asyncio.gather(link, return_exceptions=True)
        del bad
        return dropped, good.client.value()

    try:
        dropped, text = asyncio.run(scenario())
        assert server.process is not None
        assert server.process.poll() is None
    finally:
        server.stop()
    assert dropped
    assert str(doc_text(service.replay_stored(protocol.id))) == text
