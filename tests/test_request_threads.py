"""Request handlers share a small thread budget, and waiting for it never holds a connection."""

import asyncio

import anyio.to_thread
import httpx2 as httpx
import pytest
from pydantic import ValidationError
from sqlmodel import Session

import app.core.db as db_module
from app.core.config import Settings, get_settings
from app.core.db import make_engine
from app.core.security import start_session
from tests.conftest import TEST_DATABASE_URL
from tests.factories import make_token, make_user


def test_the_server_runs_handlers_on_the_configured_number_of_threads(client) -> None:  # type: ignore[no-untyped-def]
    async def tokens() -> float:
        return anyio.to_thread.current_default_thread_limiter().total_tokens

    settings = get_settings()
    expected = 2 if settings.is_sqlite else 8
    assert client.portal.call(tokens) == settings.handler_threads == expected


def test_the_number_of_threads_can_be_set(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AGORA_REQUEST_THREADS", "5")
    assert Settings().handler_threads == 5
    monkeypatch.setenv("AGORA_REQUEST_THREADS", "0")
    with pytest.raises(ValidationError):
        Settings()


def test_many_requests_share_two_threads_and_two_connections(
    app, session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    """Sixteen signed-in requests (pages and API), two threads, two pooled connections.

    When the sign-in check kept its connection while the request waited for a thread, the
    threads ended up waiting for connections that only waiting requests could give back,
    until the pool gave up (500s after its timeout)."""
    person = make_user(session)
    cookie = start_session(session, user=person)
    token = make_token(session, user=person)
    session.commit()
    small = make_engine(TEST_DATABASE_URL, pool_size=2, max_overflow=0)
    small.pool._timeout = 3  # type: ignore[attr-defined]  # fail fast if it ever waits again
    monkeypatch.setattr(db_module, "get_engine", lambda: small)

    async def sixteen_at_once() -> list[int]:
        anyio.to_thread.current_default_thread_limiter().total_tokens = 2
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
            c.cookies.set("agora_session", cookie)
            api = {"Authorization": f"Bearer {token}"}
            answers = await asyncio.gather(
                *(c.get("/ping") for _ in range(8)),
                *(c.get("/api/v1/me", headers=api) for _ in range(8)),
            )
        return [a.status_code for a in answers]

    try:
        assert asyncio.run(sixteen_at_once()) == [200] * 16
    finally:
        small.dispose()
