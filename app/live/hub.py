"""Who is listening in this process, and the notices that wake them (from any thread)."""

import asyncio
import threading
from collections import defaultdict

from app.config import get_settings
from app.listen import listen_forever

CHANNEL = "agora_live"


class Listener:
    """One open stream: woken (on its own loop) whenever its person may have news."""

    def __init__(self, user_id: int) -> None:
        self.user_id = user_id
        self.loop = asyncio.get_running_loop()
        self.woken = asyncio.Event()

    def wake(self) -> None:
        self.loop.call_soon_threadsafe(self.woken.set)


class Hub:
    def __init__(self) -> None:
        self._listeners: dict[int, set[Listener]] = defaultdict(set)
        self._lock = threading.Lock()
        self._task: asyncio.Task[None] | None = None

    def add(self, listener: Listener) -> None:
        with self._lock:
            self._listeners[listener.user_id].add(listener)

    def remove(self, listener: Listener) -> None:
        with self._lock:
            listeners = self._listeners.get(listener.user_id)
            if listeners is not None:
                listeners.discard(listener)
                if not listeners:
                    del self._listeners[listener.user_id]

    def listening(self) -> int:
        with self._lock:
            return sum(len(group) for group in self._listeners.values())

    def tell(self, user_ids: set[int] | None) -> None:
        """Wake these people's streams in this process (None: everyone's, after a gap)."""
        with self._lock:
            if user_ids is None:
                woken = [lst for group in self._listeners.values() for lst in group]
            else:
                woken = [lst for uid in user_ids for lst in self._listeners.get(uid, ())]
        for listener in woken:
            listener.wake()

    @property
    def uses_postgres(self) -> bool:
        return get_settings().database_url.startswith("postgresql")

    def start(self) -> None:
        """Listen for every process's notices (PostgreSQL only); idempotent, needs a loop."""
        if not self.uses_postgres or (self._task is not None and not self._task.done()):
            return
        self._task = asyncio.get_running_loop().create_task(self._listen())

    async def _listen(self) -> None:
        await listen_forever(
            CHANNEL,
            on_notice=lambda payload: self.tell(
                {int(part) for part in payload.split(",") if part.isdigit()}
            ),
            # Anything sent while nobody listened: every stream looks.
            on_connect=lambda: self.tell(None),
        )


hub = Hub()
