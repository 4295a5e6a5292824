"""The live stream against running `agora serve` processes (two on PostgreSQL): delivery, the
replay after a reconnect, and nothing from a space the person may no longer read."""

import json
import queue
import shutil
import tempfile
import threading
from collections.abc import Iterator
from contextlib import suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx2 as httpx
import pytest
from sqlalchemy import Engine
from sqlmodel import Session

from app.core.db import make_engine
from app.spaces.access import access_for
from app.spaces.service import remove_member
from tests.concurrency.conftest import (
    ON_POSTGRESQL,
    call,
    drop_database,
    fresh_database,
    migrate,
    server_env,
    start_server,
    stop_server,
)
from tests.factories import make_post, make_space, make_token, make_user


@dataclass
class Servers:
    urls: list[str]
    engine: Engine
    processes: list[Any] = field(default_factory=list)

    def session(self) -> Session:
        return Session(self.engine, expire_on_commit=False)


@pytest.fixture(scope="module")
def servers() -> Iterator[Servers]:
    folder = Path(tempfile.mkdtemp(prefix="agora-live-"))
    database_url = fresh_database(folder, "live")
    env = server_env(database_url)
    migrate(env)
    instance = Servers(urls=[], engine=make_engine(database_url))
    try:
        for _ in range(2 if ON_POSTGRESQL else 1):
            url, process = start_server(env, folder / "server.log")
            instance.urls.append(url)
            instance.processes.append(process)
        yield instance
    finally:
        for process in instance.processes:
            stop_server(process)
        instance.engine.dispose()
        with suppress(Exception):
            drop_database("live")
        shutil.rmtree(folder, ignore_errors=True)


class Stream:
    """Reads a text/event-stream on a thread; events() waits for the parsed events."""

    def __init__(
        self, url: str, token: str, last_event_id: str | None = None, follow: str = ""
    ) -> None:
        self.events: queue.Queue[dict[str, Any]] = queue.Queue()
        self.status: int | None = None
        self.content_type = ""
        self._stop = threading.Event()
        headers = {"Authorization": f"Bearer {token}"}
        if last_event_id is not None:
            headers["Last-Event-ID"] = last_event_id
        self._opened = threading.Event()
        path = f"/api/v1/live?follow={follow}" if follow else "/api/v1/live"
        self._thread = threading.Thread(target=self._read, args=(url + path, headers), daemon=True)
        self._thread.start()
        assert self._opened.wait(10), "the stream did not open"

    def _read(self, url: str, headers: dict[str, str]) -> None:
        with (
            httpx.Client(timeout=httpx.Timeout(5, read=None)) as client,
            client.stream("GET", url, headers=headers) as response,
        ):
            self.status = response.status_code
            self.content_type = response.headers.get("content-type", "")
            self._opened.set()
            current: dict[str, Any] = {}
            for line in response.iter_lines():
                if self._stop.is_set():
                    return
                if not line:
                    if "data" in current:
                        self.events.put(current)
                    current = {}
                elif line.startswith(("id:", "event:", "data:")):
                    name, _colon, value = line.partition(":")
                    current[name] = value.strip()

    def next(self, timeout: float = 5) -> dict[str, Any]:
        event = self.events.get(timeout=timeout)
        return {**event, "data": json.loads(event["data"])}

    def nothing_within(self, seconds: float) -> bool:
        try:
            self.events.get(timeout=seconds)
        except queue.Empty:
            return True
        return False

    def close(self) -> None:
        self._stop.set()


@pytest.fixture
def streams() -> Iterator[list[Stream]]:
    opened: list[Stream] = []
    yield opened
    for stream in opened:
        stream.close()


def test_a_mention_reaches_the_stream_held_by_another_process_and_replays(servers, streams):
    with servers.session() as session:
        author, reader = make_user(session), make_user(session)
        space = make_space(session, host=author, members=(reader,))
        post = make_post(session, author=author, space=space)
        author_token, reader_token = (
            make_token(session, user=author),
            make_token(session, user=reader),
        )

    stream = Stream(servers.urls[-1], reader_token)
    streams.append(stream)
    assert stream.status == 200 and stream.content_type.startswith("text/event-stream")
    answer = call(
        servers.urls[0],
        "POST",
        f"/api/v1/posts/{post.id}/comments",
        author_token,
        {"body": f"What do you think, @{reader.handle}?"},
    )
    assert answer.status == 201, answer

    event = stream.next()
    assert event["event"] == "notification"
    assert event["data"]["kind"] == "mention"
    assert event["data"]["url"].startswith(f"/posts/{post.id}")
    assert event["id"] == str(event["data"]["id"])
    assert set(event["data"]) == {"id", "kind", "text", "url"}

    # A reconnect with the last id it saw gets nothing again; with an older one, what it missed.
    again = Stream(servers.urls[0], reader_token, last_event_id=event["id"])
    streams.append(again)
    assert again.nothing_within(1)
    replay = Stream(servers.urls[0], reader_token, last_event_id="0")
    streams.append(replay)
    assert replay.next()["id"] == event["id"]


def test_nothing_reaches_a_stream_from_a_space_the_person_left(servers, streams):
    with servers.session() as session:
        host, member = make_user(session), make_user(session)
        space = make_space(session, host=host, visibility="private", members=(member,))
        make_post(session, author=host, space=space, title="Private", body=f"@{member.handle}")
        remove_member(session, access=access_for(session, host, space), user_id=member.id)
        session.commit()
        token = make_token(session, user=member)

    replay = Stream(servers.urls[0], token, last_event_id="0")
    streams.append(replay)
    assert replay.nothing_within(1.5)


def test_the_stream_needs_a_token(servers):
    response = httpx.get(f"{servers.urls[0]}/api/v1/live", timeout=5)
    assert response.status_code == 401


def test_a_followed_post_tells_its_readers_of_each_comment_and_no_one_else(servers, streams):
    with servers.session() as session:
        host, member, outsider = make_user(session), make_user(session), make_user(session)
        space = make_space(session, host=host, visibility="private", members=(member,))
        post = make_post(session, author=host, space=space)
        host_token, member_token, outsider_token = (
            make_token(session, user=person) for person in (host, member, outsider)
        )

    follow = f"post:{post.id}"
    member_stream = Stream(servers.urls[-1], member_token, follow=follow)
    outsider_stream = Stream(servers.urls[-1], outsider_token, follow=follow)
    streams.extend((member_stream, outsider_stream))

    def comment(body: str) -> None:
        path = f"/api/v1/posts/{post.id}/comments"
        assert call(servers.urls[0], "POST", path, host_token, {"body": body}).status == 201

    comment("First")
    event = member_stream.next()
    assert event["event"] == "comments"
    assert event["data"] == {"topic": follow}
    assert outsider_stream.nothing_within(1)

    # Removed from the space, the member's open stream hears of its comments no more.
    with servers.session() as session:
        remove_member(session, access=access_for(session, host, space), user_id=member.id)
        session.commit()
    comment("Second")
    assert member_stream.nothing_within(1.5)
    assert outsider_stream.nothing_within(0.1)
