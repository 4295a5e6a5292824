"""API clients: api(user) signs requests with a fresh personal access token of that person."""

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.factories import make_token


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
