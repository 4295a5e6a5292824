"""The hub checks a followed topic once for all its listeners and wakes only those allowed."""

import asyncio

import pytest

from app.live import hub as hub_module
from app.live.hub import Hub, Listener
from tests.factories import make_post, make_space, make_user


async def _heard(hub: Hub, listeners: list[Listener], topics: set[str] | None) -> list:
    for listener in listeners:
        hub.add(listener)
    hub.tell(topics)
    await asyncio.sleep(0.3)  # the check runs on a worker thread
    return [listener.take() if listener.woken.is_set() else "asleep" for listener in listeners]


def test_a_comment_wakes_the_readers_of_a_private_post_only(session):
    host, member, outsider = make_user(session), make_user(session), make_user(session)
    space = make_space(session, host=host, visibility="private", members=(member,))
    post = make_post(session, author=host, space=space)
    topic = f"post:{post.id}"

    async def run() -> list:
        follow = [Listener(p.id, {f"user:{p.id}", topic}) for p in (host, member, outsider)]
        return await _heard(Hub(), follow, {topic})

    assert asyncio.run(run()) == [{topic}, {topic}, "asleep"]


def test_a_persons_own_topic_wakes_them_unchecked_and_a_gap_wakes_everyone(session):
    person = make_user(session)

    async def run(topics: set[str] | None) -> list:
        listeners = [Listener(person.id, {f"user:{person.id}"}), Listener(999999, {"post:1"})]
        return await _heard(Hub(), listeners, topics)

    assert asyncio.run(run({f"user:{person.id}"})) == [{f"user:{person.id}"}, "asleep"]
    assert asyncio.run(run(None)) == [None, None]


def test_when_the_check_fails_the_streams_check_for_themselves(session, monkeypatch):
    async def broken(topic: str, user_ids: set[int]) -> set[int]:
        raise RuntimeError("database gone")

    monkeypatch.setattr(hub_module, "followers", broken)

    async def run() -> list:
        return await _heard(Hub(), [Listener(1, {"post:1"})], {"post:1"})

    assert asyncio.run(run()) == [None]


@pytest.fixture(autouse=True)
def _quiet_hub_log(caplog):
    caplog.set_level("CRITICAL", logger="app.live.hub")
