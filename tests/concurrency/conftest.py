"""A running `agora serve` (two of them on PostgreSQL, as behind a load balancer) and a rush of
HTTP clients at it: more clients than the server has request threads, all let go at once.

What the clients are told is checked against what the database holds afterwards, read back
through the API. The servers get a database of their own (a SQLite file, or a sibling database
on the suite's PostgreSQL server), since the suite empties its own after every test.
"""

import http.client
import json
import os
import shutil
import subprocess
import tempfile
import threading
import time
import urllib.parse
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, make_url
from sqlmodel import Session

from app.core.db import make_engine
from tests.conftest import TEST_DATABASE_URL
from tests.e2e.conftest import BIN, _on_postgresql, serve, stop_server

ON_POSTGRESQL = TEST_DATABASE_URL.startswith("postgresql")
CLIENTS = 16  # more than the request threads of a process (2 on SQLite, 8 on PostgreSQL)
SLOWEST = 2.0  # seconds: no answer in a rush may take longer


@dataclass(frozen=True)
class Answer:
    status: int | str  # the HTTP status, or the name of the error that came instead
    seconds: float
    body: Any


def call(
    base: str, method: str, path: str, token: str, body: Any = None, timeout: float = 30
) -> Answer:
    host, port = base.removeprefix("http://").split(":")
    started = time.monotonic()
    connection = http.client.HTTPConnection(host, int(port), timeout=timeout)
    try:
        headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
        connection.request(method, path, json.dumps(body) if body is not None else None, headers)
        response = connection.getresponse()
        raw = response.read()
        data = json.loads(raw) if raw[:1] in (b"{", b"[") else raw.decode(errors="replace")
        return Answer(response.status, time.monotonic() - started, data)
    except OSError as error:
        return Answer(type(error).__name__, time.monotonic() - started, None)
    finally:
        connection.close()


def _cookies(response: http.client.HTTPResponse) -> dict[str, str]:
    found = {}
    for header in response.headers.get_all("set-cookie") or []:
        name, _, rest = header.partition("=")
        found[name.strip()] = rest.split(";", 1)[0]
    return found


def form_post(base: str, path: str, cookies: dict[str, str], data: dict[str, str]) -> Answer:
    """A browser's form POST with its cookies and CSRF token (no redirects followed)."""
    host, port = base.removeprefix("http://").split(":")
    started = time.monotonic()
    connection = http.client.HTTPConnection(host, int(port), timeout=30)
    try:
        body = urllib.parse.urlencode({**data, "csrf_token": cookies.get("agora_csrf", "")})
        headers = {
            "Content-Type": "application/x-www-form-urlencoded",
            "Cookie": "; ".join(f"{k}={v}" for k, v in cookies.items()),
        }
        connection.request("POST", path, body, headers)
        response = connection.getresponse()
        response.read()
        cookies.update(_cookies(response))
        return Answer(response.status, time.monotonic() - started, response.getheader("location"))
    except OSError as error:
        return Answer(type(error).__name__, time.monotonic() - started, None)
    finally:
        connection.close()


def at_sign_in_form(base: str) -> dict[str, str]:
    """The cookies of a browser that has opened the sign-in form (its CSRF cookie)."""
    host, port = base.removeprefix("http://").split(":")
    connection = http.client.HTTPConnection(host, int(port), timeout=30)
    try:
        connection.request("GET", "/login")
        response = connection.getresponse()
        response.read()
        return _cookies(response)
    finally:
        connection.close()


def sign_in(base: str, email: str, password: str) -> dict[str, str]:
    """The cookies of a browser signed in through the sign-in form."""
    cookies = at_sign_in_form(base)
    answer = form_post(base, "/login", cookies, {"email": email, "password": password, "next": "/"})
    assert answer.status == 303 and "agora_session" in cookies, answer
    return cookies


@dataclass
class Live:
    urls: list[str]
    database_url: str
    engine: Engine
    log: Path
    processes: list[subprocess.Popen[bytes]] = field(default_factory=list)

    @contextmanager
    def session(self) -> Iterator[Session]:
        """The servers' database, for making data and for reading it back (committed)."""
        with Session(self.engine, expire_on_commit=False) as session:
            yield session
            session.commit()

    def call(self, method: str, path: str, token: str, body: Any = None, n: int = 0) -> Answer:
        return call(self.urls[n % len(self.urls)], method, path, token, body)

    def rush(self, requests: list[Any], each: int = 1) -> list[Answer]:
        """Send (method, path, token, body) requests from one client per `each` of them, all
        clients starting at the same moment and spread over the servers; a client sends its
        requests one after another. Every answer must be a prompt 2xx or 4xx."""
        answers: list[Answer | None] = [None] * len(requests)
        clients = range(0, len(requests), each)
        start = threading.Barrier(len(clients))

        def client(first: int) -> None:
            start.wait(30)
            for i in range(first, min(first + each, len(requests))):
                request = requests[i]
                if callable(request):  # a browser-like request: request(base_url) -> Answer
                    answers[i] = request(self.urls[(first // each) % len(self.urls)])
                else:
                    method, path, token, body = request
                    answers[i] = self.call(method, path, token, body, n=first // each)

        threads = [threading.Thread(target=client, args=(i,)) for i in clients]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(120)
        done = [a for a in answers if a is not None]
        assert len(done) == len(requests), "a client never finished"
        broken = [a for a in done if not isinstance(a.status, int) or a.status >= 500]
        assert not broken, f"failed answers: {broken[:3]}\n{self.log_tail()}"
        slow = [a for a in done if a.seconds > SLOWEST]
        assert not slow, f"{len(slow)} answers took over {SLOWEST} s: {slow[:3]}"
        return done

    def log_tail(self) -> str:
        return self.log.read_text(errors="replace")[-3000:] if self.log.exists() else ""


def fresh_database(folder: Path, name: str) -> str:
    """A database of its own: a SQLite file, or a sibling database on the PostgreSQL server."""
    if not ON_POSTGRESQL:
        return f"sqlite:///{folder}/{name}.db"
    database = f"{make_url(TEST_DATABASE_URL).database}_{name}"
    _on_postgresql(
        f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)', f'CREATE DATABASE "{database}"'
    )
    return make_url(TEST_DATABASE_URL).set(database=database).render_as_string(hide_password=False)


def drop_database(name: str) -> None:
    if ON_POSTGRESQL:
        database = f"{make_url(TEST_DATABASE_URL).database}_{name}"
        _on_postgresql(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')


def server_env(database_url: str, **extra: str) -> dict[str, str]:
    return {
        **os.environ,
        "AGORA_DATABASE_URL": database_url,
        "AGORA_ENV": "test",
        "AGORA_SEED_DEMO": "0",
        "AGORA_RUN_JOBS": "false",
        **extra,
    }


def migrate(env: dict[str, str]) -> None:
    result = subprocess.run(
        [str(BIN / "agora"), "migrate"], env=env, capture_output=True, text=True, timeout=180
    )
    assert result.returncode == 0, result.stdout + result.stderr


def free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def start_server(env: dict[str, str], log: Path) -> tuple[str, subprocess.Popen[bytes]]:
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    return url, serve({**env, "AGORA_BASE_URL": url}, port, log)


def _warm_up(live: Live) -> None:
    """A running site has compiled its templates, filled its connection pool and planned its
    statements; a fresh process has not. One write and one read per server first, so the rush
    measures the write path, not the first request's start-up."""
    from tests.factories import make_post, make_space, make_token, make_user

    with live.session() as session:
        person = make_user(session)
        post = make_post(session, author=person, space=make_space(session, host=person))
        token = make_token(session, user=person)
    for n in range(len(live.urls)):
        assert (
            live.call(
                "POST", f"/api/v1/posts/{post.id}/comments", token, {"body": "hi"}, n=n
            ).status
            == 201
        )
        assert live.call("GET", f"/api/v1/posts/{post.id}/comments", token, n=n).status == 200


@pytest.fixture(scope="package")
def live() -> Iterator[Live]:
    folder = Path(tempfile.mkdtemp(prefix="agora-rush-"))
    database_url = fresh_database(folder, "rush")
    env = server_env(database_url)
    migrate(env)
    log = folder / "server.log"
    instance = Live(urls=[], database_url=database_url, engine=make_engine(database_url), log=log)
    try:
        for _ in range(2 if ON_POSTGRESQL else 1):
            url, process = start_server(env, log)
            instance.urls.append(url)
            instance.processes.append(process)
        _warm_up(instance)
        yield instance
    finally:
        for process in instance.processes:
            stop_server(process)
        instance.engine.dispose()
        with suppress(Exception):
            drop_database("rush")
        shutil.rmtree(folder, ignore_errors=True)


Maker = Callable[..., Any]
