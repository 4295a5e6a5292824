"""Tests run against a real database (SQLite by default, PostgreSQL with AGORA_TEST_DATABASE_URL).

The schema is built once by the real migrations; after each test every table is emptied, so tests
that use several connections at once (concurrency, live servers) see committed data like production.
"""

import os
import re
import shutil
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

_tmp = tempfile.mkdtemp(prefix="agora-test-")
TEST_DATABASE_URL = os.environ.get("AGORA_TEST_DATABASE_URL") or f"sqlite:///{_tmp}/test.db"
os.environ["AGORA_DATABASE_URL"] = TEST_DATABASE_URL
os.environ["AGORA_ENV"] = "test"
os.environ["AGORA_SECRET_KEY"] = "test-secret-key-that-is-long-enough-0123456789"
os.environ["AGORA_SEED_DEMO"] = "0"
os.environ["AGORA_BASE_URL"] = "http://testserver"
# Uploaded files go to the throw-away folder, never to the work tree's var/uploads.
os.environ["AGORA_STORAGE_URL"] = Path(_tmp, "uploads").as_uri()

from fastapi.testclient import TestClient  # noqa: E402
from sqlalchemy import event, text  # noqa: E402
from sqlalchemy.exc import OperationalError  # noqa: E402
from sqlmodel import Session  # noqa: E402

from app.core.config import get_settings  # noqa: E402
from app.core.db import get_engine, metadata  # noqa: E402
from app.core.i18n import set_locale  # noqa: E402
from app.core.transactions import RETRY_SQLSTATES  # noqa: E402
from tests.dbutil import reset_database  # noqa: E402

get_settings.cache_clear()
get_engine.cache_clear()


@pytest.fixture(scope="session", autouse=True)
def _database() -> Iterator[None]:
    from app.cli import run_migrations

    reset_database(TEST_DATABASE_URL)
    run_migrations()
    yield
    get_engine().dispose()
    shutil.rmtree(_tmp, ignore_errors=True)


def _empty_all_tables() -> None:
    engine = get_engine()
    tables = [t.name for t in reversed(metadata.sorted_tables)]
    if engine.dialect.name != "postgresql":
        with engine.begin() as conn:
            for name in tables:
                conn.execute(text(f"DELETE FROM {name}"))
        return
    # A test's server side may still be finishing (a live socket's handler leaving its room reads
    # and writes after the client has gone). TRUNCATE takes every table at once, so PostgreSQL may
    # pick it as a deadlock's victim: the other side then finishes, and the next try goes through.
    for attempt in range(_TRUNCATE_TRIES):
        try:
            with engine.begin() as conn:
                conn.execute(text(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE"))
            return
        except OperationalError as exc:
            conflict = getattr(exc.orig, "sqlstate", None) in _LOCK_CONFLICTS
            if attempt == _TRUNCATE_TRIES - 1 or not conflict:
                raise
            time.sleep(0.2 * (attempt + 1))


_TRUNCATE_TRIES = 5
# What the request path retries (deadlock, serialization failure), and lock_timeout's 55P03.
_LOCK_CONFLICTS = RETRY_SQLSTATES | {"55P03"}


@pytest.fixture(autouse=True)
def _clean_tables() -> Iterator[None]:
    yield
    _empty_all_tables()
    # Ids start again at 1 in the emptied tables: a live protocol room this process still holds
    # would otherwise answer for the next test's protocol of the same id.
    from app.protocols.rooms import registry

    registry.clear()


@pytest.fixture(autouse=True)
def _english_by_default() -> None:
    """Each test starts in the default language: code that sets the language of the running
    thread (a CLI command, a service wording things for a person) must not word the next test."""
    set_locale("en")


@pytest.fixture
def session() -> Iterator[Session]:
    with Session(get_engine(), expire_on_commit=False) as s:
        yield s


@pytest.fixture
def app():  # type: ignore[no-untyped-def]
    from app.main import create_app

    return create_app()


class WebClient(TestClient):
    """A browser-like client that knows its CSRF token and can sign in."""

    csrf: str = ""

    def refresh_csrf(self) -> str:
        self.get("/login")
        self.csrf = self.cookies.get("agora_csrf") or ""
        return self.csrf

    def form(self, url: str, data: dict[str, Any] | None = None, **kwargs: Any):  # type: ignore[no-untyped-def]
        if not self.csrf:
            self.refresh_csrf()
        payload = {"csrf_token": self.csrf, **(data or {})}
        return self.post(
            url, data=payload, follow_redirects=kwargs.pop("follow_redirects", False), **kwargs
        )

    def htmx(self, method: str, url: str, target: str | None = None, **kwargs: Any):  # type: ignore[no-untyped-def]
        headers = {"HX-Request": "true", "X-CSRF-Token": self.csrf or self.refresh_csrf()}
        if target:
            headers["HX-Target"] = target
        headers.update(kwargs.pop("headers", {}))
        return self.request(method, url, headers=headers, **kwargs)


@pytest.fixture
def client(app) -> Iterator[WebClient]:  # type: ignore[no-untyped-def]
    with WebClient(app, base_url="http://testserver") as c:
        yield c


PASSWORD = "correct-horse-battery"


@pytest.fixture
def login(app) -> Callable[..., WebClient]:  # type: ignore[no-untyped-def]
    """Sign a person in on a fresh client: login(user) -> WebClient."""
    clients: list[WebClient] = []

    def _login(user: Any, password: str = PASSWORD) -> WebClient:
        c = WebClient(app, base_url="http://testserver")
        c.__enter__()
        clients.append(c)
        c.refresh_csrf()
        response = c.form("/login", {"email": user.email, "password": password, "next": "/"})
        assert response.status_code == 303, response.text
        return c

    yield _login  # type: ignore[misc]
    for c in clients:
        c.__exit__(None, None, None)


@contextmanager
def _counting() -> Iterator[list[str]]:
    statements: list[str] = []
    # Transaction control is not a query: SQLite's BEGIN is sent as a statement
    # (app.core.transactions).

    def before(_conn, _cursor, statement, *_args):  # type: ignore[no-untyped-def]
        if not re.match(r"\s*(SAVEPOINT|RELEASE|ROLLBACK|PRAGMA|BEGIN|COMMIT)", statement, re.I):
            statements.append(statement)

    engine = get_engine()
    event.listen(engine, "before_cursor_execute", before)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", before)


@pytest.fixture
def count_queries() -> Callable[[], Any]:
    """with count_queries() as statements: ...; len(statements) is the number of SQL queries."""
    return _counting


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    # Browser tests run in the browser job (and when Chromium is present); in CI they must run.
    chromium = Path("/usr/bin/chromium").exists()
    for item in items:
        if "browser" in item.keywords and not chromium and not os.environ.get("CI"):
            item.add_marker(pytest.mark.skip(reason="Chromium is not installed (CI installs it)"))
