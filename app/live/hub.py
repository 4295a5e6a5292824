"""Who is listening in this process, and the notices that wake them (from any thread).

A notice names topics: `user:5` (news for person 5), `post:12` (a comment on post 12),
`space:3` (a post in space 3), `event:9` (answers to event 9), `flags:3` (a flag in space 3),
`poll:4` (a vote in poll 4). A listener follows exact topics or every topic of a kind
(`space:*`). Notices carry no content: a woken stream re-reads what its person may see.

A followed topic is checked against the content policy before anyone is woken: once per topic
for all the listeners of this process that follow it (checks.py, one worker thread and a few
queries), and only those who may see it are woken. A person's own topic (`user:5`) needs no
check: their stream reads their own notifications.

Across processes: on PostgreSQL a NOTIFY on CHANNEL; on SQLite a row in live_notices that every
process holding streams polls for (POLL_SECONDS), so `agora worker` or a second server wakes
this one's streams too.
"""

import asyncio
import logging
import threading
import uuid
from collections import defaultdict
from collections.abc import Iterable

import anyio
from sqlalchemy import func, select
from sqlmodel import Session, col

from app.core.config import get_settings
from app.core.db import get_engine
from app.core.listen import listen_forever
from app.live.checks import followers
from app.live.models import LiveNotice

log = logging.getLogger(__name__)

CHANNEL = "agora_live"
# Every process writes notices under its own name, and skips its own when polling.
ORIGIN = uuid.uuid4().hex
POLL_SECONDS = 0.25
# How many notices the table keeps (the newest): a poll every POLL_SECONDS reads far fewer.
KEEP_NOTICES = 1000


def kind_of(topic: str) -> str:
    return topic.partition(":")[0]


def is_personal(topic: str) -> bool:
    return kind_of(topic) == "user"


class Listener:
    """One open stream of one person: woken (on its own loop) with the topics that changed and
    that they may see (a person's own topic unchecked, every other one checked first)."""

    def __init__(self, user_id: int, topics: Iterable[str]) -> None:
        self.user_id = user_id
        self.topics = frozenset(topics)
        self.loop = asyncio.get_running_loop()
        self.woken = asyncio.Event()
        # Topics heard since the stream last looked; None: anything may have changed.
        self._heard: set[str] | None = set()

    def note(self, topics: set[str] | None) -> None:
        if topics is None or self._heard is None:
            self._heard = None
        else:
            self._heard |= topics
        self.woken.set()

    def take(self) -> set[str] | None:
        """What was heard since the last call (on the listener's loop)."""
        heard, self._heard = self._heard, set()
        self.woken.clear()
        return heard


class Hub:
    def __init__(self) -> None:
        self._listeners: dict[str, set[Listener]] = defaultdict(set)
        self._lock = threading.Lock()
        self._task: asyncio.Task[None] | None = None
        self._count = 0

    def add(self, listener: Listener) -> None:
        with self._lock:
            self._count += 1
            for topic in listener.topics:
                self._listeners[topic].add(listener)

    def remove(self, listener: Listener) -> None:
        with self._lock:
            self._count -= 1
            for topic in listener.topics:
                group = self._listeners.get(topic)
                if group is not None:
                    group.discard(listener)
                    if not group:
                        del self._listeners[topic]

    def listening(self) -> int:
        return self._count

    def tell(self, topics: set[str] | None) -> None:
        """Wake the streams following these topics in this process (None: all, after a gap)."""
        if topics is None:
            with self._lock:
                everyone = {lst for group in self._listeners.values() for lst in group}
            # Each stream checks what it follows itself (stream.py): nothing is known.
            for loop, group in _by_loop(everyone).items():
                loop.call_soon_threadsafe(_note_all, group, None)
            return
        with self._lock:
            personal = {
                topic: list(self._listeners.get(topic, ()))
                for topic in topics
                if is_personal(topic)
            }
            followed = {
                topic: [
                    lst
                    for key in (topic, f"{kind_of(topic)}:*")
                    for lst in self._listeners.get(key, ())
                ]
                for topic in topics
                if not is_personal(topic)
            }
        # One call into each event loop for all its streams: a call per stream wakes the loop
        # (a write to its self-pipe) a thousand times for a post that a thousand pages follow.
        for topic, group in personal.items():
            for loop, listeners in _by_loop(group).items():
                loop.call_soon_threadsafe(_note_all, listeners, {topic})
        for topic, group in followed.items():
            for loop, listeners in _by_loop(group).items():
                loop.call_soon_threadsafe(_check_then_note, topic, listeners)

    @property
    def uses_postgres(self) -> bool:
        return get_settings().database_url.startswith("postgresql")

    def start(self) -> None:
        """Hear every process's notices; idempotent, needs a running loop."""
        if self._task is not None and not self._task.done():
            return
        work = self._listen() if self.uses_postgres else self._poll()
        self._task = asyncio.get_running_loop().create_task(work)

    async def _listen(self) -> None:
        await listen_forever(
            CHANNEL,
            on_notice=lambda payload: self.tell(parse_topics(payload)),
            # Anything sent while nobody listened: every stream looks.
            on_connect=lambda: self.tell(None),
        )

    async def _poll(self) -> None:
        last: int | None = None
        while True:
            await asyncio.sleep(POLL_SECONDS)
            if not self.listening():
                last = None  # a stream that opens later starts from what it reads itself
                continue
            try:
                last = await anyio.to_thread.run_sync(self._poll_once, last)
            except Exception:
                log.exception("live notices: polling failed; trying again")

    def _poll_once(self, last: int | None) -> int:
        with Session(get_engine()) as session:
            if last is None:
                return int(session.scalar(select(func.max(col(LiveNotice.id)))) or 0)
            rows = session.exec(
                select(LiveNotice.id, LiveNotice.topics, LiveNotice.origin)  # type: ignore[call-overload]
                .where(col(LiveNotice.id) > last)
                .order_by(col(LiveNotice.id))
            ).all()
        if not rows:
            return last
        topics: set[str] = set()
        for _id, text, origin in rows:
            if origin != ORIGIN:
                topics |= parse_topics(text)
        if topics:
            self.tell(topics)
        return int(rows[-1][0])


def _by_loop(listeners: Iterable[Listener]) -> dict[asyncio.AbstractEventLoop, list[Listener]]:
    groups: dict[asyncio.AbstractEventLoop, list[Listener]] = {}
    for listener in listeners:
        groups.setdefault(listener.loop, []).append(listener)
    return groups


def _note_all(listeners: list[Listener], topics: set[str] | None) -> None:
    for listener in listeners:
        listener.note(topics)


def _check_then_note(topic: str, listeners: list[Listener]) -> None:
    """On the listeners' loop: ask the policy once for all of them, then wake who may see it."""
    asyncio.get_running_loop().create_task(_checked(topic, listeners))


async def _checked(topic: str, listeners: list[Listener]) -> None:
    try:
        allowed = await followers(topic, {lst.user_id for lst in listeners})
    except Exception:
        log.exception("live: checking %s failed; its streams check for themselves", topic)
        _note_all(listeners, None)
        return
    heard = {topic}
    for listener in listeners:
        if listener.user_id in allowed:
            listener.note(heard)


def parse_topics(payload: str) -> set[str]:
    return {part for part in payload.split(",") if ":" in part}


hub = Hub()
