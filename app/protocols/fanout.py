"""Sending a room's stored updates and presence to its connections, one merged burst per turn.

At 200 editors every frame goes out 200 times, so frames, not bytes, are what costs. Whatever
a room has to send is queued per event loop and sent in one callback on that loop's next turn:
updates stored meanwhile (by several batches, or while the loop was busy) are merged once into
one frame per connection, instead of one frame per update per connection; the message bytes
are built once and shared by every recipient; presence (cursor) messages queued together are
merged the same way. Order is kept: presence messages stay between the updates they came between.
"""

import asyncio
import threading
import time
from typing import NamedTuple
from typing import Protocol as Interface

from pycrdt import Decoder, YMessageType, create_update_message, merge_updates, write_var_uint


class Peer(Interface):
    """A connection as a room sees it (sync.Connection).

    deliver() runs on the peer's event loop; close_soon() may be called from any thread.
    """

    user_id: int
    awareness_ids: set[int]
    loop: asyncio.AbstractEventLoop
    # The access generation (app.spaces.access) at which the peer's read access was last
    # confirmed; when the stored one differs, the room checks again before sending.
    access_generation: int

    def deliver(self, message: bytes) -> None: ...

    def close_soon(self, code: int, reason: str = "") -> None: ...


class Outgoing(NamedTuple):
    data: bytes  # a stored Yjs update, or (is_update False) a ready awareness message
    exclude: Peer | None  # who does not need it (the sender)
    is_update: bool = True


def awareness_message(payload: bytes) -> bytes:
    return bytes(write_var_uint(YMessageType.AWARENESS) + write_var_uint(len(payload)) + payload)


def merge_presence(messages: list[bytes]) -> bytes:
    """One awareness message carrying the entries of several, in order.

    Entries are (client id, clock, state); a client whose entry shows up twice keeps the later
    one (the higher clock), as if the messages had come one by one.
    """
    entries: list[bytes] = []
    for message in messages:
        outer = Decoder(message)
        if outer.read_var_uint() != YMessageType.AWARENESS:
            raise ValueError("not an awareness message")
        decoder = Decoder(outer.read_message() or b"")
        for _ in range(decoder.read_var_uint()):
            client, clock = decoder.read_var_uint(), decoder.read_var_uint()
            state = decoder.read_var_string().encode()
            entries.append(
                write_var_uint(client) + write_var_uint(clock) + write_var_uint(len(state)) + state
            )
    return awareness_message(write_var_uint(len(entries)) + b"".join(entries))


def merged(items: list[Outgoing]) -> list[tuple[bytes, Peer | None]]:
    """Messages to send: each run of updates becomes one update message, each run of presence
    messages one presence message.

    A merged run goes to everyone, senders included: Yjs ignores updates it already has and
    presence entries whose clock it has seen, and one shared frame is far cheaper than a frame
    per sender-specific subset.
    """
    out: list[tuple[bytes, Peer | None]] = []
    run: list[Outgoing] = []

    def close_run() -> None:
        if len(run) == 1:
            data = run[0].data
            out.append((create_update_message(data) if run[0].is_update else data, run[0].exclude))
        elif run and run[0].is_update:
            out.append((create_update_message(merge_updates(*(i.data for i in run))), None))
        elif run:
            try:
                out.append((merge_presence([i.data for i in run]), None))
            except Exception:  # never lose the rest of a burst over one odd message
                out.extend((i.data, i.exclude) for i in run)
        run.clear()

    for item in items:
        if run and run[0].is_update != item.is_update:
            close_run()
        run.append(item)
    close_run()
    return out


class FanOut:
    """One room's outgoing queue, per event loop (tests run connections on several loops)."""

    # At most one burst per loop per this many seconds: the first update after a pause goes
    # out at once; those close behind it wait at most this long and share one frame (at 100
    # updates/s, as 200 people typing send, about a quarter fewer frames for every client).
    min_gap = 0.01

    def __init__(self, peers: set[Peer], peers_lock: threading.Lock) -> None:
        self._peers = peers
        self._peers_lock = peers_lock
        self._pending: dict[asyncio.AbstractEventLoop, list[Outgoing]] = {}
        self._last: dict[asyncio.AbstractEventLoop, float] = {}
        self._lock = threading.Lock()

    def send(self, items: list[Outgoing]) -> None:
        """Queue from any thread; the first item queued for a loop schedules its flush."""
        if not items:
            return
        with self._peers_lock:
            loops = {peer.loop for peer in self._peers}
        try:
            running: asyncio.AbstractEventLoop | None = asyncio.get_running_loop()
        except RuntimeError:
            running = None
        for loop in loops:
            with self._lock:
                queued = self._pending.get(loop)
                if queued is not None:
                    queued.extend(items)  # its flush is already scheduled
                    continue
                self._pending[loop] = list(items)
            try:
                if loop is not running:
                    loop.call_soon_threadsafe(self._schedule, loop, True)
                else:
                    self._schedule(loop, False)
            except RuntimeError:
                # A loop that has shut down took its connections with it.
                with self._lock:
                    self._pending.pop(loop, None)

    def _schedule(self, loop: asyncio.AbstractEventLoop, own_turn: bool) -> None:
        """On the loop: flush now (on a turn of its own; else on the next, so what the current
        turn still queues joins in), or once min_gap has passed since the last flush."""
        with self._lock:
            wait = self._last.get(loop, 0.0) + self.min_gap - time.monotonic()
        if wait > 0:
            loop.call_later(wait, self._flush, loop)
        elif own_turn:
            self._flush(loop)
        else:
            loop.call_soon(self._flush, loop)

    def _flush(self, loop: asyncio.AbstractEventLoop) -> None:
        with self._lock:
            items = self._pending.pop(loop, [])
            self._last[loop] = time.monotonic()
        with self._peers_lock:
            peers = [peer for peer in self._peers if peer.loop is loop]
        for message, exclude in merged(items):
            for peer in peers:
                if peer is not exclude:
                    peer.deliver(message)
