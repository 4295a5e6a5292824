"""The content policy's answer for every stream a notice would wake, asked once per process.

A comment on a post that 1,000 open pages follow concerns 1,000 streams at once. The hub asks
`followers(topic, people)` once for all of them, on one worker thread, by app/access/live.py (a
few queries per topic), and wakes only those allowed. After a gap (nothing known of what
changed) each stream asks `allowed(person, topic)` for what it follows; the questions asked in
the same moment are answered together too.
"""

import asyncio
import weakref

import anyio
from sqlmodel import Session

from app.access.live import followers_among
from app.core.db import get_engine

# How long the first question waits for the others a notice raises (they come within a few
# turns of the event loop).
GATHER_SECONDS = 0.005


def _answer(questions: dict[str, set[int]]) -> dict[str, set[int]]:
    with Session(get_engine()) as session:
        return {topic: followers_among(session, topic, ids) for topic, ids in questions.items()}


async def followers(topic: str, user_ids: set[int]) -> set[int]:
    """Of these people, those who may see a change of `topic` now (off the event loop)."""
    answers = await anyio.to_thread.run_sync(_answer, {topic: user_ids})
    return answers[topic]


class Checks:
    """The questions of one event loop, gathered while the first waits."""

    def __init__(self) -> None:
        self._waiting: dict[str, dict[int, list[asyncio.Future[bool]]]] = {}

    async def allowed(self, user_id: int, topic: str) -> bool:
        future: asyncio.Future[bool] = asyncio.get_running_loop().create_future()
        first = not self._waiting
        self._waiting.setdefault(topic, {}).setdefault(user_id, []).append(future)
        if first:
            asyncio.get_running_loop().create_task(self._answer_all())
        return await future

    async def _answer_all(self) -> None:
        await asyncio.sleep(GATHER_SECONDS)
        waiting, self._waiting = self._waiting, {}
        questions = {topic: set(people) for topic, people in waiting.items()}
        try:
            answers = await anyio.to_thread.run_sync(_answer, questions)
        except Exception as exc:
            for people in waiting.values():
                for futures in people.values():
                    for future in futures:
                        if not future.done():
                            future.set_exception(exc)
            return
        for topic, people in waiting.items():
            for user_id, futures in people.items():
                for future in futures:
                    if not future.done():
                        future.set_result(user_id in answers[topic])


_per_loop: "weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, Checks]" = (
    weakref.WeakKeyDictionary()
)


async def allowed(user_id: int, topic: str) -> bool:
    """Whether this person may follow this topic now (answered with the others asked with it)."""
    loop = asyncio.get_running_loop()
    checks = _per_loop.get(loop)
    if checks is None:
        checks = _per_loop[loop] = Checks()
    return await checks.allowed(user_id, topic)
