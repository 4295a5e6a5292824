"""Per-room upkeep on the event loop: catch up with other processes, drop people who lost
access, store the derived text, take idle revisions, compact, and let idle rooms go."""

import asyncio
import contextlib
import logging
import time

import anyio
from sqlmodel import Session

from app.core.config import get_settings
from app.core.db import get_engine
from app.protocols import store
from app.protocols.access import reader_ids
from app.protocols.editing import idle_revision, save_derived_text
from app.protocols.notify import notices
from app.protocols.rooms import CLOSE_FORBIDDEN, Room, registry

log = logging.getLogger(__name__)


class Timing:
    """Seconds; tests shorten them."""

    tick = 0.25
    access_every = 2.0
    text_after_quiet = 1.0
    text_at_least_every = 5.0
    idle_revision_after = 60.0
    evict_after = 30.0
    compact_after_updates = 2000


_tasks: set[asyncio.Task[None]] = set()
_wakers: dict[int, asyncio.Event] = {}


def _on_notice(protocol_id: int, seq: int) -> None:
    rooms = registry.rooms() if protocol_id == 0 else [registry.peek(protocol_id)]
    for room in rooms:
        if room is not None and (seq == 0 or seq > room.seq):
            room.catch_up_wanted = True
            wake = _wakers.get(room.protocol_id)
            if wake is not None:
                wake.set()  # notices arrive on the event loop, as does the watchdog


notices.subscribe(_on_notice)


def ensure_watchdog(room: Room) -> None:
    if room.watchdog_started:
        return
    room.watchdog_started = True
    _wakers[room.protocol_id] = asyncio.Event()
    task = asyncio.get_running_loop().create_task(_watch(room))
    _tasks.add(task)
    task.add_done_callback(_tasks.discard)


async def _watch(room: Room) -> None:
    last_poll = last_access = last_text = time.monotonic()
    revision_seq = room.seq
    wake = _wakers[room.protocol_id]
    while not room.broken:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(wake.wait(), Timing.tick)
        wake.clear()
        now = time.monotonic()
        try:
            poll_every = get_settings().protocol_poll_seconds
            if room.catch_up_wanted or now - last_poll >= poll_every:
                room.catch_up_wanted = False
                last_poll = now
                if await anyio.to_thread.run_sync(store.current_seq, room.protocol_id) > room.seq:
                    await anyio.to_thread.run_sync(room.catch_up)
            if now - last_access >= Timing.access_every and room.peers:
                last_access = now
                await anyio.to_thread.run_sync(_drop_unauthorised, room)
            quiet = now - room.last_change
            if room.text_seq < room.seq and (
                quiet >= Timing.text_after_quiet or now - last_text >= Timing.text_at_least_every
            ):
                last_text = now
                seq = room.seq
                await anyio.to_thread.run_sync(_save_text, room)
                room.text_seq = seq
            if revision_seq < room.seq and quiet >= Timing.idle_revision_after:
                revision_seq = room.seq
                await anyio.to_thread.run_sync(_idle_revision, room.protocol_id)
            if room.seq - room.snapshot_seq >= Timing.compact_after_updates:
                await anyio.to_thread.run_sync(compact_room, room)
            if not room.peers and now - room.last_seen >= Timing.evict_after:
                await anyio.to_thread.run_sync(_retire, room)
                return
        except Exception:
            log.exception("protocol %s: housekeeping failed", room.protocol_id)
    room.watchdog_started = False
    if _wakers.get(room.protocol_id) is wake:
        del _wakers[room.protocol_id]


def _drop_unauthorised(room: Room) -> None:
    with room.peers_lock:
        peers = list(room.peers)
    with Session(get_engine()) as session:
        allowed = reader_ids(session, room.protocol_id, {p.user_id for p in peers})
    for peer in peers:
        if peer.user_id not in allowed:
            peer.close_soon(CLOSE_FORBIDDEN, "no longer a reader")


def _save_text(room: Room) -> None:
    save_derived_text(room.protocol_id, *room.text_and_seq())


def _idle_revision(protocol_id: int) -> None:
    idle_revision(protocol_id)


def compact_room(room: Room) -> bool:
    """Store the room's document as the snapshot (the doc is the replay of every update)."""
    with room.lock:
        if room.broken or room.seq <= room.snapshot_seq:
            return False
        done = store.compact(room.protocol_id, room.doc, room.seq)
        if done:
            room.snapshot_seq = room.seq
        return done


def _retire(room: Room) -> None:
    """Nobody is here any more: keep the text current, compact, and free the memory."""
    if room.text_seq < room.seq:
        _save_text(room)
    if room.seq > room.snapshot_seq:
        compact_room(room)
    registry.forget(room)
