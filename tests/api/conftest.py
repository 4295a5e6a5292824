"""API clients: api(user) signs requests with a fresh personal access token of that person."""

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from argon2 import PasswordHasher
from fastapi.testclient import TestClient

from tests.factories import make_token

# API tests make many people and never need slow hashes; Argon2 stays Argon2 (verify reads the
# parameters from the hash), just with the cheapest settings, so sign-in still works.
_cheap_hasher = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)


@pytest.fixture(autouse=True)
def _cheap_password_hashes(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("app.people.service.hash_password", _cheap_hasher.hash)


@pytest.fixture
def api(app, session) -> Iterator[Callable[..., TestClient]]:  # type: ignore[no-untyped-def]
    """api(user) -> a client with that person's bearer token; api() -> a client without one."""
    clients: list[TestClient] = []

    def _api(user: Any = None, *, token: str | None = None, **kwargs: Any) -> TestClient:
        if user is not None:
            token = make_token(session, user=user)
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        headers.update(kwargs.pop("headers", {}))
        client = TestClient(app, base_url="http://testserver", headers=headers, **kwargs)
        client.__enter__()
        clients.append(client)
        return client

    yield _api
    for client in clients:
        client.__exit__(None, None, None)
