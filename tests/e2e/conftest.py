"""Browser tests: a real `agora serve` in a subprocess, driven through Debian's Chromium.

The server gets its own fresh database (SQLite; a sibling database when the suite runs on
PostgreSQL), migrated and filled through the CLI and the services before it starts. The suite's
own test database is emptied after every test, so the server must never share it.
Playwright launches /usr/bin/chromium; it never downloads a browser of its own.
"""

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, Playwright, sync_playwright
from sqlalchemy import Engine, create_engine, make_url, text
from sqlmodel import Session

from app.core.db import make_engine, utcnow
from app.people.service import create_user, user_by_email
from app.posts.service import create_post
from app.spaces.access import access_for, space_access_by_slug
from app.spaces.service import add_member, create_space
from tests.conftest import TEST_DATABASE_URL
from tests.e2e.pages import LoginPage

CHROMIUM = "/usr/bin/chromium"
# Headless Chromium on a machine without internet: no sandbox (CI runs as root), and none of the
# background connections that would only be refused.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}
PASSWORD = "e2e-password-1234"
PORT_RANGE = os.environ.get("AGORA_E2E_PORTS", "8100-8199")
BIN = Path(sys.executable).parent


@dataclass(frozen=True)
class Person:
    email: str
    name: str
    handle: str
    password: str = PASSWORD


ANNA = Person("anna@example.com", "Anna Admin", "anna")  # site admin, hosts the seeded spaces
BEN = Person("ben@example.com", "Ben Builder", "ben")  # member of Engineering and Sales Team
CLARA = Person("clara@example.com", "Clara Newcomer", "clara")  # belongs to no space at first
DORA = Person("dora@example.com", "Dora Mentioned", "dora")  # only ever gets the one mention


@dataclass
class Server:
    url: str
    database_url: str
    engine: Engine

    @contextmanager
    def session(self) -> Iterator[Session]:
        """Write to the server's database directly (committed on leaving the block)."""
        with Session(self.engine, expire_on_commit=False) as session:
            yield session
            session.commit()

    def create_post(self, *, author: Person, space_slug: str, title: str, body: str) -> int:
        """A post written behind the browser's back, for tests that start from one."""
        with self.session() as session:
            user = user_by_email(session, author.email)
            access = space_access_by_slug(session, user, space_slug)
            post = create_post(session, access=access, title=title, body=body)
            assert post.id is not None
            return post.id


def _free_port() -> int:
    first, last = (int(n) for n in PORT_RANGE.split("-"))
    for port in range(first, last + 1):
        with socket.socket() as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError(f"no free port in {PORT_RANGE}")


def _e2e_database_name(suffix: str = "e2e") -> str:
    return f"{make_url(TEST_DATABASE_URL).database}_{suffix}"


def _on_postgresql(*statements: str) -> None:
    """Run statements on the test database's server, outside a transaction (CREATE DATABASE)."""
    admin = create_engine(make_url(TEST_DATABASE_URL), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        for statement in statements:
            connection.execute(text(statement))
    admin.dispose()


def _fresh_database(folder: Path, suffix: str = "e2e") -> str:
    """An empty database for a server of the browser tests (one per suffix on PostgreSQL)."""
    if not TEST_DATABASE_URL.startswith("postgresql"):
        return f"sqlite:///{folder}/{suffix}.db"
    name = _e2e_database_name(suffix)
    _on_postgresql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)', f'CREATE DATABASE "{name}"')
    return make_url(TEST_DATABASE_URL).set(database=name).render_as_string(hide_password=False)


def _agora(env: dict[str, str], *args: str, stdin: str | None = None) -> None:
    result = subprocess.run(
        [str(BIN / "agora"), *args],
        env=env,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, f"agora {' '.join(args)} failed:\n{result.stdout}{result.stderr}"


def _seed(server: Server) -> None:
    """Three more people, two public spaces and a private one, and 25 older posts (so the home
    stream has a second page)."""
    with server.session() as session:
        anna = user_by_email(session, ANNA.email)
        # She set the installation up: her first sign-in is long past (the CLI owes every new
        # account a welcome page; tests that walk that journey make a newcomer of their own).
        anna.welcome_pending = False
        ben, _clara, dora = (
            create_user(session, email=p.email, display_name=p.name, password=p.password)
            for p in (BEN, CLARA, DORA)
        )
        engineering = create_space(
            session,
            creator=anna,
            name="Engineering",
            description="Architecture, tools and the occasional war story.",
        )
        sales = create_space(
            session, creator=anna, name="Sales Team", visibility="private", join_policy="request"
        )
        running = create_space(
            session, creator=ben, name="Running Club", description="Lunch runs along the river."
        )
        for member in (ben, dora):
            add_member(session, access=access_for(session, anna, engineering), user=member)
        add_member(session, access=access_for(session, anna, sales), user=ben)
        session.flush()
        posting = access_for(session, ben, engineering)
        for n in range(25):
            create_post(
                session,
                access=posting,
                title=f"Weekly engineering note {n + 1}",
                body=f"Note number {n + 1}: what we shipped, what we learned.",
                published_at=utcnow() - timedelta(days=30 - n),
            )
        create_post(
            session,
            access=access_for(session, ben, running),
            title="Relay team wanted",
            body="We need **four runners** for the city relay in May. Who is in?",
        )


def _wait_until_healthy(url: str, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the server exited early:\n{log.read_text()}")
        try:
            with urllib.request.urlopen(f"{url}/healthz", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"the server did not become healthy:\n{log.read_text()}")


def serve(env: dict[str, str], port: int, log: Path) -> subprocess.Popen[bytes]:
    """`agora serve` on 127.0.0.1:port (already migrated), its output appended to log; returns
    once /healthz answers."""
    with log.open("ab") as output:
        process = subprocess.Popen(
            [
                str(BIN / "agora"),
                "serve",
                "--no-migrate",
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
            ],
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    try:
        _wait_until_healthy(f"http://127.0.0.1:{port}", process, log)
    except BaseException:
        stop_server(process)
        raise
    return process


def stop_server(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


@pytest.fixture(scope="package")
def server() -> Iterator[Server]:
    folder = Path(tempfile.mkdtemp(prefix="agora-e2e-"))
    database_url = _fresh_database(folder)
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    env = {
        **os.environ,
        "AGORA_DATABASE_URL": database_url,
        "AGORA_BASE_URL": url,
        "AGORA_ENV": "test",
        "AGORA_SEED_DEMO": "0",
    }
    _agora(env, "migrate")
    # The admin comes from the CLI, as on a real installation; the others from the services.
    _agora(env, "users", "create", ANNA.email, "--name", ANNA.name, "--admin", stdin=PASSWORD)
    engine = make_engine(database_url)
    instance = Server(url=url, database_url=database_url, engine=engine)
    _seed(instance)
    process = serve(env, port, folder / "server.log")
    try:
        yield instance
    finally:
        stop_server(process)
        engine.dispose()
        if TEST_DATABASE_URL.startswith("postgresql"):
            _on_postgresql(f'DROP DATABASE IF EXISTS "{_e2e_database_name()}" WITH (FORCE)')
        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture(scope="package")
def playwright() -> Iterator[Playwright]:
    with sync_playwright() as instance:
        yield instance


@pytest.fixture(scope="package")
def browser(playwright: Playwright) -> Iterator[Browser]:
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: apt-get install chromium")
    instance = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
    yield instance
    instance.close()


@pytest.fixture
def new_context(browser: Browser, server: Server) -> Iterator[object]:
    """new_context(phone=False) -> a fresh browser profile (cookies of its own) on the server."""
    contexts: list[BrowserContext] = []

    def _new(phone: bool = False) -> BrowserContext:
        options: dict[str, object] = {"viewport": PHONE, "is_mobile": True, "has_touch": True}
        context = browser.new_context(
            base_url=server.url, locale="en-GB", **(options if phone else {"viewport": DESKTOP})
        )
        context.set_default_timeout(10_000)
        contexts.append(context)
        return context

    yield _new
    for context in contexts:
        context.close()


@pytest.fixture
def page(new_context) -> Page:  # type: ignore[no-untyped-def]
    return new_context().new_page()


@pytest.fixture
def signed_in(new_context):  # type: ignore[no-untyped-def]
    """signed_in(person, phone=False) -> a page of a browser where that person has signed in."""

    def _sign_in(person: Person, phone: bool = False) -> Page:
        page = new_context(phone=phone).new_page()
        LoginPage(page).open().sign_in(person.email, person.password)
        page.wait_for_url("**/")
        return page

    return _sign_in
