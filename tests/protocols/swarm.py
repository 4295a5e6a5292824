"""Many pycrdt clients typing into one protocol over real WebSockets, surviving restarts."""

import asyncio
import random
from dataclasses import dataclass, field

from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed

from tests.protocols.yclient import YClient


@dataclass
class Typist:
    name: str
    url: str  # ws://.../api/v1/protocols/{id}/sync
    token: str
    client: YClient = field(default_factory=YClient)
    typed: list[str] = field(default_factory=list)
    connections: int = 0
    errors: list[str] = field(default_factory=list)
    connected: asyncio.Event = field(default_factory=asyncio.Event)
    _ws: object | None = None

    async def run_connection(self, stop: asyncio.Event) -> None:
        """Stay connected (reconnecting after drops) until `stop` is set."""
        while not stop.is_set():
            try:
                async with connect(
                    self.url,
                    additional_headers={"Authorization": f"Bearer {self.token}"},
                    open_timeout=5,
                    max_size=4 * 1024 * 1024,
                ) as ws:
                    self.connections += 1
                    self._ws = ws
                    self.client.take()  # anything typed offline travels in the sync handshake
                    await ws.send(self.client.hello())
                    self.connected.set()
                    async for message in ws:
                        for reply in self.client.feed(message):
                            await ws.send(reply)
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # refused, reset, closed mid-handshake: just try again
                self.errors.append(repr(exc))
            finally:
                self._ws = None
                self.connected.clear()
                self.client.synced = False
            await asyncio.sleep(0.1 + random.random() * 0.2)

    async def type_tokens(self, count: int, pause: float) -> None:
        for k in range(count):
            token = f"<{self.name}.{k}>"
            text = self.client.text
            at = 0 if random.random() < 0.5 else len(text)
            text.insert(at, token + " ")  # queued in the client's outbox by its observer
            self.typed.append(token)
            await self.flush()
            await asyncio.sleep(pause * (0.5 + random.random()))

    async def flush(self) -> None:
        ws = self._ws
        messages = self.client.take()
        if ws is None:
            return  # offline: the next handshake carries it (our answer to the server's step 1)
        try:
            for message in messages:
                await ws.send(message)  # type: ignore[attr-defined]
        except ConnectionClosed:
            pass


def tokens_in(text: str) -> set[str]:
    return {part for part in text.split() if part.startswith("<") and part.endswith(">")}


async def settle(typists: list[Typist], expected: set[str], timeout: float = 30) -> None:
    """Wait until every client holds exactly the same text with every token in it."""
    deadline = asyncio.get_running_loop().time() + timeout
    while asyncio.get_running_loop().time() < deadline:
        texts = {t.client.value() for t in typists}
        if len(texts) == 1 and tokens_in(next(iter(texts))) == expected:
            return
        await asyncio.sleep(0.2)
    texts = [t.client.value() for t in typists]
    missing = [sorted(expected - tokens_in(x))[:5] for x in texts]
    errors = [t.errors[-3:] for t in typists]
    raise AssertionError(f"clients did not converge; missing per client: {missing}; {errors}")
