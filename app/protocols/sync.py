"""The live sync endpoint: the standard y-websocket protocol (sync + awareness) on a WebSocket.

Each connection gets a bounded outgoing queue and its own writer task, so a slow or vanished
client only ever loses its own connection. Incoming updates are batched per room and stored
before they are passed on (see rooms.py), merged per burst (fanout.py). Who may read is checked
at connect time, again before anything more is sent whenever access changed anywhere (the
stored access generation, app.spaces.access), and every few seconds; who may write is checked
for every batch of incoming updates. Each connection's incoming messages are rate-limited, so
a flood ends only its sender.
"""

import asyncio
import logging
import time
from http.cookies import SimpleCookie

import anyio
from pycrdt import (
    Decoder,
    YMessageType,
    YSyncMessageType,
    create_sync_message,
    create_update_message,
    merge_updates,
    write_var_uint,
)
from sqlmodel import Session
from starlette.websockets import WebSocket, WebSocketDisconnect

from app.core.config import get_settings
from app.core.db import get_engine, utcnow
from app.core.errors import NotFound
from app.core.security import SESSION_COOKIE, api_caller, user_for_session_token
from app.core.token_use import TokenUse, record_token_use, use_if_due
from app.people.models import User
from app.protocols.access import can_edit, protocol_access
from app.protocols.fanout import awareness_message as _awareness_message
from app.protocols.housekeeping import ensure_watchdog
from app.protocols.notify import notices
from app.protocols.rooms import CLOSE_BAD_MESSAGE, Room, registry
from app.spaces.access import access_generation

log = logging.getLogger(__name__)

MAX_MESSAGE = 2 * 1024 * 1024  # bytes; larger messages close that one connection (1009)
OUTGOING_LIMIT = 5000  # queued messages; a client this far behind reconnects and resyncs
MESSAGE_QUERY_AWARENESS = 3
CLOSE_NOT_FOUND = 4404
CLOSE_TOO_MANY = 4429  # a flood; in 44xx, so y-websocket does not reconnect
CLOSE_TOO_SLOW = 4502  # outside 44xx: y-websocket reconnects and resyncs


class RateLimit:
    """Token bucket over a connection's incoming messages and bytes.

    People typing, moving the cursor or coming back from offline with a big state stay far
    inside it (a keystroke is two small messages); a client beyond it is flooding and is closed,
    so every message it sends costs the room (storage, and a frame for each editor) at most this.
    """

    messages_per_second = 100.0
    message_burst = 1000.0
    bytes_per_second = 1024.0 * 1024
    byte_burst = 2.0 * MAX_MESSAGE  # a reconnect sends its offline work as one big message

    def __init__(self) -> None:
        self.messages = self.message_burst
        self.bytes = self.byte_burst
        self.last = time.monotonic()

    def allow(self, size: int) -> bool:
        now = time.monotonic()
        elapsed, self.last = now - self.last, now
        self.messages = min(self.message_burst, self.messages + elapsed * self.messages_per_second)
        self.bytes = min(self.byte_burst, self.bytes + elapsed * self.bytes_per_second)
        self.messages -= 1
        self.bytes -= size
        return self.messages >= 0 and self.bytes >= 0


class Connection:
    def __init__(
        self, websocket: WebSocket, user_id: int, can_write: bool, access_generation: int = -1
    ) -> None:
        self.websocket = websocket
        self.user_id = user_id
        self.can_write = can_write
        self.access_generation = access_generation  # -1: check before sending anything
        self.awareness_ids: set[int] = set()
        self.loop = asyncio.get_running_loop()
        self.queue: asyncio.Queue[bytes | int] = asyncio.Queue()
        self.closed = False

    def deliver(self, message: bytes) -> None:
        if self.closed:
            return
        if self.queue.qsize() >= OUTGOING_LIMIT:
            self._close(CLOSE_TOO_SLOW)
            return
        self.queue.put_nowait(message)

    def close_soon(self, code: int, reason: str = "") -> None:
        try:
            self.loop.call_soon_threadsafe(self._close, code)
        except RuntimeError:
            self.closed = True

    def _close(self, code: int) -> None:
        if self.closed:
            return
        self.closed = True
        while not self.queue.empty():  # nothing more goes to a client we are dropping
            self.queue.get_nowait()
        self.queue.put_nowait(code)

    async def writer(self) -> None:
        try:
            while True:
                item = await self.queue.get()
                if isinstance(item, int):
                    await self.websocket.close(code=item)
                    return
                for message in self._coalesce(item):
                    await self.websocket.send_bytes(message)
        except Exception:
            # The client went away mid-send: only this connection ends.
            self.closed = True

    def _coalesce(self, first: bytes) -> list[bytes]:
        """A client that fell behind gets the document updates queued for it as one merged
        update (one frame instead of dozens); other messages keep their place in the order."""
        if self.queue.empty() or not first.startswith(UPDATE_PREFIX):
            return [first]
        out: list[bytes] = []
        updates = [_update_payload(first)]
        while not self.queue.empty() and len(updates) < COALESCE_LIMIT:
            nxt = self.queue._queue[0]  # type: ignore[attr-defined]  # peek: keep a close in line
            if isinstance(nxt, int):
                break
            self.queue.get_nowait()
            if nxt.startswith(UPDATE_PREFIX):
                updates.append(_update_payload(nxt))
            else:
                out.append(nxt)
        merged = updates[0] if len(updates) == 1 else merge_updates(*updates)
        return [create_update_message(merged), *out]


UPDATE_PREFIX = bytes([YMessageType.SYNC, YSyncMessageType.SYNC_UPDATE])
COALESCE_LIMIT = 500


def _update_payload(message: bytes) -> bytes:
    decoder = Decoder(message[2:])
    payload = decoder.read_message()
    return payload or b""


def _authenticate(websocket: WebSocket, protocol_id: int) -> tuple[int, bool, int]:
    """(user id, may edit, access generation) for the cookie or bearer token; NotFound when
    they may not read. The generation is read first: a change after it makes rooms ask again.

    A bearer token's use is recorded as for the JSON API (a refused protocol included), once
    the read is over: on SQLite a read transaction that turns into a write can fail."""
    engine = get_engine()
    use: TokenUse | None = None
    try:
        with Session(engine) as session:
            generation = access_generation(session)
            user = None
            header = websocket.headers.get("authorization", "")
            if header.lower().startswith("bearer "):
                caller = api_caller(session, header[7:].strip())
                if caller is not None:
                    user = caller.user
                    use = use_if_due(
                        engine=engine,
                        token_id=caller.token_id,
                        last_used_at=caller.last_used_at,
                        now=utcnow(),
                    )
            else:
                user = _cookie_user(session, websocket)
            if user is None:
                raise NotFound("Protocol not found")
            protocol, access = protocol_access(session, user, protocol_id)
            return int(user.id), can_edit(protocol, access), generation  # type: ignore[arg-type]
    finally:
        if use is not None:
            record_token_use(use)


def _cookie_user(session: Session, websocket: WebSocket) -> User | None:
    cookie: SimpleCookie = SimpleCookie()
    try:
        cookie.load(websocket.headers.get("cookie", ""))
    except Exception:
        cookie = SimpleCookie()
    morsel = cookie.get(SESSION_COOKIE)
    if morsel is None or not _same_origin(websocket):
        return None
    return user_for_session_token(session, morsel.value)


def _same_origin(websocket: WebSocket) -> bool:
    """Cookies ride along on cross-site WebSocket handshakes: only our own pages may use them."""
    origin = websocket.headers.get("origin")
    if origin is None:
        return True  # not a browser
    host = websocket.headers.get("host", "")
    base = get_settings().base_url.rstrip("/")
    return origin.rstrip("/") in {base, f"http://{host}", f"https://{host}"}


def _sync_message(sub_type: int, payload: bytes) -> bytes:
    return (
        write_var_uint(YMessageType.SYNC)
        + write_var_uint(sub_type)
        + write_var_uint(len(payload))
        + payload
    )


async def serve(websocket: WebSocket, protocol_id: int) -> None:
    try:
        user_id, can_write, generation = await anyio.to_thread.run_sync(
            _authenticate, websocket, protocol_id
        )
    except NotFound:
        await websocket.close(code=CLOSE_NOT_FOUND)
        return
    await websocket.accept()
    notices.start()
    room: Room = await anyio.to_thread.run_sync(registry.get, protocol_id)
    connection = Connection(websocket, user_id, can_write, generation)
    room.attach(connection)
    ensure_watchdog(room)
    writer = asyncio.get_running_loop().create_task(connection.writer())
    try:
        step1 = await anyio.to_thread.run_sync(_locked_sync_step1, room)
        connection.deliver(step1)
        presence = room.awareness_snapshot()
        if presence is not None:
            connection.deliver(_awareness_message(presence))
        await _read_loop(websocket, room, connection)
    finally:
        removal = room.detach(connection)
        if removal is not None:
            room.broadcast(_awareness_message(removal))
        if not connection.closed:
            connection._close(1000)
        try:
            await asyncio.wait_for(writer, timeout=5)
        except (TimeoutError, asyncio.CancelledError):
            writer.cancel()


def _locked_sync_step1(room: Room) -> bytes:
    with room.lock:
        return create_sync_message(room.doc)


async def _read_loop(websocket: WebSocket, room: Room, connection: Connection) -> None:
    limit = RateLimit()
    while not connection.closed:
        try:
            message = await websocket.receive()
        except WebSocketDisconnect:
            return
        if message["type"] == "websocket.disconnect":
            return
        data = message.get("bytes")
        if data is None or len(data) > MAX_MESSAGE:
            connection._close(1009 if data is not None else 1003)
            return
        if not limit.allow(len(data)):
            log.info("protocol %s: closing a connection that floods", room.protocol_id)
            connection._close(CLOSE_TOO_MANY)
            return
        try:
            await _handle(data, room, connection)
        except Exception:
            log.info("protocol %s: dropping a client that sent a bad message", room.protocol_id)
            connection._close(CLOSE_BAD_MESSAGE)
            return


async def _handle(data: bytes, room: Room, connection: Connection) -> None:
    decoder = Decoder(data)
    kind = decoder.read_var_uint()
    if kind == YMessageType.SYNC:
        sub = decoder.read_var_uint()
        payload = decoder.read_message()
        if payload is None:
            raise ValueError("sync message without payload")
        if sub == YSyncMessageType.SYNC_STEP1:
            update = await anyio.to_thread.run_sync(room.sync_step2_for, connection, payload)
            if update is not None:
                connection.deliver(_sync_message(YSyncMessageType.SYNC_STEP2, update))
        elif sub in (YSyncMessageType.SYNC_STEP2, YSyncMessageType.SYNC_UPDATE):
            if payload == b"\x00\x00":
                return  # nothing new (a client that is already in sync says so)
            if room.submit(connection, payload):
                await anyio.to_thread.run_sync(room.drain)
        else:
            raise ValueError("unknown sync message")
    elif kind == YMessageType.AWARENESS:
        payload = decoder.read_message()
        if payload is None:
            raise ValueError("awareness message without payload")
        room.relay_awareness(connection, payload, data)
    elif kind == MESSAGE_QUERY_AWARENESS:
        presence = room.awareness_snapshot()
        if presence is not None:
            connection.deliver(_awareness_message(presence))
    elif kind == 2:
        return  # y-websocket "auth" messages: we authenticate at the handshake
    else:
        raise ValueError("unknown message type")
