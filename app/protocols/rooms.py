"""In-process rooms: one live document per protocol per process, shared by its connections.

A room never holds anything the database does not: updates are applied, stored (one transaction
per batch), and only then sent to the other connections and announced to other processes.
Document work runs in worker threads under the room's lock, so the event loop keeps serving.
"""

import logging
import threading
import time
from collections.abc import Callable

from pycrdt import (
    Awareness,
    Decoder,
    Doc,
    Text,
    TransactionEvent,
)
from sqlalchemy import Connection

from app.core.db import get_engine
from app.protocols import store
from app.protocols.access import READERS_STATEMENT, WRITERS_STATEMENT
from app.protocols.fanout import FanOut, Outgoing, Peer, awareness_message
from app.spaces.access import access_generation

log = logging.getLogger(__name__)

CLOSE_FORBIDDEN = 4403
CLOSE_BAD_MESSAGE = 4400
CLOSE_RESYNC = 4501  # the room was rebuilt; the client reconnects and re-sends what it has


def apply_edits_to_text(ytext: Text, current: str, edits: list[tuple[int, int, str]]) -> None:
    """Apply code-point edits of `current` (the text's value) to the shared text, right to left.

    pycrdt indexes Y.Text by UTF-8 bytes; Python strings count code points.
    """
    for start, end, replacement in sorted(edits, reverse=True):
        b_start = len(current[:start].encode())
        b_end = b_start + len(current[start:end].encode())
        if b_end > b_start:
            del ytext[b_start:b_end]
        if replacement:
            ytext.insert(b_start, replacement)


class RoomBehind(RuntimeError):
    """Updates this room lacks were compacted into the snapshot elsewhere: it must be rebuilt."""


class Room:
    def __init__(self, protocol_id: int, stored: store.StoredDoc) -> None:
        self.protocol_id = protocol_id
        self.doc: Doc = stored.doc
        self.seq = stored.seq
        self.snapshot_seq = stored.snapshot_seq
        self.lock = threading.RLock()
        self.peers: set[Peer] = set()
        self.awareness = Awareness(self.doc)
        self.peers_lock = threading.Lock()
        self.fanout = FanOut(self.peers, self.peers_lock)
        self._inbox: list[tuple[Peer, bytes]] = []
        self._inbox_lock = threading.Lock()
        self._draining = False
        self.broken = False
        self.last_change = time.monotonic()
        self.last_seen = time.monotonic()
        self.text_seq = -1  # the seq whose text was last written
        self.watchdog_started = False
        self.catch_up_wanted = False

    # -- reading ---------------------------------------------------------------------------
    def text(self) -> str:
        with self.lock:
            return str(store.doc_text(self.doc))

    def text_and_seq(self) -> tuple[str, int]:
        """The text and the seq it belongs to, read together: read one after the other, a save
        landing in between paired a version with a text that lacked that save, and a client
        editing that text from that version then deleted the save in the three-way merge."""
        with self.lock:
            return str(store.doc_text(self.doc)), self.seq

    def sync_step2(self, state_vector: bytes) -> bytes:
        """The part of the document the client lacks (answer to its sync step 1)."""
        with self.lock:
            return self.doc.get_update(state_vector)

    def sync_step2_for(self, peer: Peer, state_vector: bytes) -> bytes | None:
        """sync_step2 for a connection that may still read; None (and it is closed) if not.

        A client may ask for the document at any time, so this is checked like a broadcast."""
        self.recheck_readers()
        with self.peers_lock:
            if peer not in self.peers:
                return None
        return self.sync_step2(state_vector)

    def full_state(self) -> tuple[bytes, int]:
        with self.lock:
            return self.doc.get_update(), self.seq

    # -- peers -----------------------------------------------------------------------------
    def attach(self, peer: Peer) -> None:
        with self.peers_lock:
            self.peers.add(peer)
            self.last_seen = time.monotonic()

    def detach(self, peer: Peer) -> bytes | None:
        """Forget a connection; returns the awareness message that removes its cursors."""
        with self.peers_lock:
            self.peers.discard(peer)
            self.last_seen = time.monotonic()
            gone = [cid for cid in peer.awareness_ids if cid in self.awareness.states]
            if not gone:
                return None
            message = self.awareness.encode_awareness_update(gone)
            self.awareness.remove_awareness_states(gone, "detach")
            return message

    # -- who may still read ----------------------------------------------------------------
    def recheck_readers(self) -> None:
        """Close the connections of people who lost read access (from a worker thread)."""
        with get_engine().connect() as conn:
            self._drop_lost_readers(conn)

    def _drop_lost_readers(self, conn: Connection) -> None:
        """Before anything more goes out: if access changed anywhere since a connection's
        access was last confirmed (the stored generation moved; one primary-key read when
        nothing did), ask again who of them may read, and drop the others at once.

        Dropped connections leave the room before this returns, so no update sent after it
        reaches them, in this process or (each room checking itself) in any other."""
        generation = access_generation(conn)
        with self.peers_lock:
            stale = [p for p in self.peers if p.access_generation != generation]
        if not stale:
            return
        params = {"protocol_id": self.protocol_id, "user_ids": list({p.user_id for p in stale})}
        readers = set(conn.execute(READERS_STATEMENT, params).scalars())
        for peer in stale:
            if peer.user_id in readers:
                peer.access_generation = generation
                continue
            removal = self.detach(peer)
            peer.close_soon(CLOSE_FORBIDDEN, "no longer a reader")
            if removal is not None:
                self.broadcast(awareness_message(removal))  # their cursors go too

    def broadcast(self, message: bytes, exclude: Peer | None = None) -> None:
        """Send a ready message (presence) to every connection but `exclude`, from any thread."""
        self.fanout.send([Outgoing(message, exclude, is_update=False)])

    def broadcast_updates(self, updates: list[bytes], exclude: Peer | None = None) -> None:
        """Pass on stored updates (merged with whatever else goes out on the same turn)."""
        self.fanout.send([Outgoing(data, exclude) for data in updates])

    def relay_awareness(self, peer: Peer, payload: bytes, message: bytes) -> None:
        """Keep the latest presence of each client (for newcomers) and pass it on."""
        with self.peers_lock:
            decoder = Decoder(payload)
            for _ in range(decoder.read_var_uint()):
                peer.awareness_ids.add(decoder.read_var_uint())
                decoder.read_var_uint()
                decoder.read_var_string()
            self.awareness.apply_awareness_update(payload, peer)
        self.broadcast(message, exclude=peer)

    def awareness_snapshot(self) -> bytes | None:
        with self.peers_lock:
            ids = [cid for cid in self.awareness.states if cid != self.awareness.client_id]
            return self.awareness.encode_awareness_update(ids) if ids else None

    # -- incoming updates --------------------------------------------------------------------
    def submit(self, peer: Peer, update: bytes) -> bool:
        """Queue an update; True when the caller must run drain() (nobody else is draining)."""
        with self._inbox_lock:
            self._inbox.append((peer, update))
            if self._draining:
                return False
            self._draining = True
            return True

    def drain(self) -> None:
        """Store and fan out everything queued, batch by batch (runs in a worker thread)."""
        while True:
            with self._inbox_lock:
                batch, self._inbox = self._inbox, []
                if not batch:
                    self._draining = False
                    return
            try:
                self._store_batch(batch)
            except Exception:
                log.exception("protocol %s: storing updates failed", self.protocol_id)
                self._break()

    def _store_batch(self, batch: list[tuple[Peer, bytes]]) -> None:
        with self.lock:
            if self.broken:
                for peer, _ in batch:
                    peer.close_soon(CLOSE_RESYNC, "room rebuilt")
                return
            with get_engine().begin() as conn:
                self._drop_lost_readers(conn)
                user_ids = list({p.user_id for p, _ in batch})
                allowed = set(
                    conn.execute(
                        WRITERS_STATEMENT, {"protocol_id": self.protocol_id, "user_ids": user_ids}
                    ).scalars()
                )
                accepted: list[tuple[Peer, bytes]] = []
                for peer, data in batch:
                    if peer.user_id not in allowed:
                        peer.close_soon(CLOSE_FORBIDDEN, "may not edit")
                        continue
                    try:
                        self.doc.apply_update(data)
                    except Exception:
                        peer.close_soon(CLOSE_BAD_MESSAGE, "bad update")
                        continue
                    accepted.append((peer, data))
                if not accepted:
                    return
                last = store.store_batch(
                    conn, self.protocol_id, [(d, p.user_id) for p, d in accepted]
                )
                first = last - len(accepted) + 1
                # What other processes stored just before us (we hold the counter row now).
                missed = self._apply_stored(conn, self.seq, first - 1)
            # Committed (the transaction block ended without an error).
            self.seq = last
            self.last_change = time.monotonic()
        # Stored: now (and only now) the others may see it.
        # Under load batches grow, and the fan-out merges them into one message per peer.
        self.fanout.send(
            [Outgoing(d, None) for d in missed] + [Outgoing(d, p) for p, d in accepted]
        )

    def catch_up(self) -> int:
        """Fetch and pass on updates other processes stored after ours; returns how many."""
        try:
            missed = self._take_in_stored()
        except RoomBehind:
            return 0
        self.broadcast_updates(missed)
        return len(missed)

    def current_text_and_seq(self) -> tuple[str, int]:
        """text_and_seq once the room holds everything stored so far: a read after a save
        through another process must see that save, not this room's memory from before it.
        Raises RoomBehind (the room is dropped) when a compaction elsewhere left a gap."""
        missed = self._take_in_stored()
        if missed:
            self.broadcast_updates(missed)
        return self.text_and_seq()

    def _take_in_stored(self) -> list[bytes]:
        with self.lock:
            if self.broken:
                raise RoomBehind(self.protocol_id)
            with get_engine().connect() as conn:
                known = store.last_seq(conn, self.protocol_id)
                if known <= self.seq:
                    return []
                self._drop_lost_readers(conn)
                try:
                    missed = self._apply_stored(conn, self.seq, known)
                except RoomBehind:
                    self._break()
                    raise
            self.seq = known
            self.last_change = time.monotonic()
            return missed

    def change_text(self, edit: Callable[[str], list[tuple[int, int, str]]], user_id: int) -> int:
        """Apply a server-side edit (form save, ticked box, restore) as a stored update.

        `edit` gets the current text and returns (start, end, replacement) in code points,
        applied right to left so earlier offsets stay valid. Returns the new seq.
        """
        update: bytes | None = None
        with self.lock:
            if self.broken:
                raise RoomBehind(self.protocol_id)
            try:
                with get_engine().begin() as conn:
                    self._drop_lost_readers(conn)
                    # Edit the latest text: first take in what other processes stored.
                    known = store.last_seq(conn, self.protocol_id)
                    missed = self._apply_stored(conn, self.seq, known)
                    ytext = store.doc_text(self.doc)
                    current = str(ytext)
                    edits = edit(current)
                    captured: list[bytes] = []

                    def capture(event: TransactionEvent) -> None:
                        captured.append(event.update)

                    subscription = self.doc.observe(capture)
                    try:
                        with self.doc.transaction(origin="server"):
                            apply_edits_to_text(ytext, current, edits)
                    finally:
                        self.doc.unobserve(subscription)
                    if captured and captured[0] != b"\x00\x00":
                        update = captured[0]
                        last = store.store_batch(conn, self.protocol_id, [(update, user_id)])
                        missed += self._apply_stored(conn, max(known, self.seq), last - 1)
                        known = last
            except Exception:
                self._break()  # the document may now hold an edit that was not stored
                raise
            self.seq = max(self.seq, known)
            if update is not None:
                self.last_change = time.monotonic()
                missed.append(update)
        self.broadcast_updates(missed)
        return self.seq

    def _apply_stored(self, conn: Connection, after: int, upto: int) -> list[bytes]:
        """Apply updates other processes stored in (after, upto]; the caller holds the lock.

        Every one of them must still be there: if a compaction elsewhere deleted some, skipping
        them would leave this document without them, and its own compaction would later store
        it as the snapshot and lose them for good. Raises RoomBehind instead."""
        if upto <= after:
            return []
        rows = store.fetch_between(conn, self.protocol_id, after, upto)
        if [seq for seq, _data in rows] != list(range(after + 1, upto + 1)):
            raise RoomBehind(self.protocol_id)
        for _seq, data in rows:
            self.doc.apply_update(data)
        return [data for _seq, data in rows]

    def _break(self) -> None:
        """The document may hold something unstored: drop the room; clients reconnect and
        re-send their state, which lands in a fresh room rebuilt from the database."""
        self.broken = True
        with self.peers_lock:
            peers_now = list(self.peers)
        for peer in peers_now:
            peer.close_soon(CLOSE_RESYNC, "room rebuilt")
        registry.forget(self)


class RoomRegistry:
    """One room per protocol in this process, created under a per-protocol lock."""

    def __init__(self) -> None:
        self._rooms: dict[int, Room] = {}
        self._locks: dict[int, threading.Lock] = {}
        self._guard = threading.Lock()
        self.on_new_room: Callable[[Room], None] | None = None

    def get(self, protocol_id: int) -> Room:
        """The live room, loading it from the database first if needed (blocking: use a thread)."""
        with self._guard:
            room = self._rooms.get(protocol_id)
            if room is not None and not room.broken:
                return room
            lock = self._locks.setdefault(protocol_id, threading.Lock())
        with lock:
            room = self._rooms.get(protocol_id)
            if room is not None and not room.broken:
                return room
            room = Room(protocol_id, store.load_doc(protocol_id))
            with self._guard:
                self._rooms[protocol_id] = room
        if self.on_new_room is not None:
            self.on_new_room(room)
        return room

    def peek(self, protocol_id: int) -> Room | None:
        return self._rooms.get(protocol_id)

    def rooms(self) -> list[Room]:
        with self._guard:
            return list(self._rooms.values())

    def forget(self, room: Room) -> None:
        with self._guard:
            if self._rooms.get(room.protocol_id) is room:
                del self._rooms[room.protocol_id]

    def clear(self) -> None:
        with self._guard:
            self._rooms.clear()
            self._locks.clear()


registry = RoomRegistry()


def read_text(protocol_id: int) -> tuple[str, int]:
    """The document's text and seq with everything stored so far (blocking: use a thread)."""
    try:
        return registry.get(protocol_id).current_text_and_seq()
    except RoomBehind:  # that room is gone; a new one loads the snapshot and what followed
        return registry.get(protocol_id).current_text_and_seq()


def edit_text(
    protocol_id: int, edit: Callable[[str], list[tuple[int, int, str]]], user_id: int
) -> int:
    """Room.change_text on the protocol's room, on a rebuilt one if that room was behind."""
    try:
        return registry.get(protocol_id).change_text(edit, user_id)
    except RoomBehind:
        return registry.get(protocol_id).change_text(edit, user_id)
