"""Cross-process notices "protocol P has seq N", so every process's room catches up.

PostgreSQL carries them with LISTEN/NOTIFY (sent inside the storing transaction, so delivered
only once the update is committed). A single process, or SQLite, uses the in-process channel;
rooms also poll the stored seq now and then, so lost, late or duplicated notices are harmless:
a notice only says "look", the database says what is there.
"""

import asyncio
import logging
from collections.abc import Callable

from app.core.config import get_settings
from app.core.listen import listen_forever
from app.protocols.store import NOTIFY_CHANNEL

log = logging.getLogger(__name__)

Handler = Callable[[int, int], None]


class Notices:
    def __init__(self) -> None:
        self._handlers: list[Handler] = []
        self._task: asyncio.Task[None] | None = None
        self.connected = asyncio.Event()

    def subscribe(self, handler: Handler) -> None:
        self._handlers.append(handler)

    def deliver(self, protocol_id: int, seq: int) -> None:
        """The in-process channel: hand a notice to every subscriber of this process."""
        for handler in list(self._handlers):
            try:
                handler(protocol_id, seq)
            except Exception:
                log.exception("protocol notice handler failed")

    @property
    def uses_postgres(self) -> bool:
        return get_settings().database_url.startswith("postgresql")

    def start(self) -> None:
        """Listen for other processes' notices (PostgreSQL only); idempotent, needs a loop."""
        if not self.uses_postgres or (self._task is not None and not self._task.done()):
            return
        self._task = asyncio.get_running_loop().create_task(self._listen())

    async def _listen(self) -> None:
        def connected() -> None:
            self.connected.set()
            self.deliver(0, 0)  # anything sent while we were not listening: every room looks

        await listen_forever(
            NOTIFY_CHANNEL,
            on_notice=self._notice,
            on_connect=connected,
            on_lost=self.connected.clear,
        )

    def _notice(self, payload: str) -> None:
        protocol_id, _, seq = payload.partition(":")
        if protocol_id.isdigit() and seq.isdigit():
            self.deliver(int(protocol_id), int(seq))


notices = Notices()
