"""Sign-in throttling counts per real client address: X-Forwarded-For counts only from a proxy
named in AGORA_TRUSTED_PROXIES, exactly as `agora serve` configures uvicorn."""

from collections.abc import Iterator
from typing import Any

import pytest
import uvicorn
from pydantic import ValidationError

from app import cli
from app.core.config import Settings, get_settings
from tests.conftest import WebClient

LIMIT = 3


@pytest.fixture
def served(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """served(trusted) -> the uvicorn options `agora serve` passes with that setting."""
    monkeypatch.setenv("AGORA_LOGIN_MAX_FAILURES_PER_ADDRESS", str(LIMIT))
    monkeypatch.setattr(cli, "run_migrations", lambda: None)
    monkeypatch.setattr(cli, "bootstrap_first_start", lambda: None)

    def _served(trusted: str) -> dict[str, Any]:
        captured: dict[str, Any] = {}
        monkeypatch.setenv("AGORA_TRUSTED_PROXIES", trusted)
        get_settings.cache_clear()
        monkeypatch.setattr(uvicorn, "run", lambda app, **options: captured.update(options))
        cli.serve(host="127.0.0.1", port=8000, workers=1, migrate_first=False)
        return captured

    yield _served
    monkeypatch.undo()
    get_settings.cache_clear()


def _client(options: dict[str, Any], peer: str) -> WebClient:
    """The app behind uvicorn's own proxy-header handling, reached from `peer`."""
    from app.main import create_app

    config = uvicorn.Config(
        create_app(),
        proxy_headers=options["proxy_headers"],
        forwarded_allow_ips=options.get("forwarded_allow_ips"),
        log_config=None,
    )
    config.load()
    return WebClient(config.loaded_app, base_url="http://testserver", client=(peer, 51000))


def _failed_sign_ins(client: WebClient, forwarded_for: list[str]) -> list[int]:
    """One failed sign-in per claimed address (each for another account, so only the
    per-address limit can apply); the status of each answer."""
    statuses = []
    for n, address in enumerate(forwarded_for):
        client.refresh_csrf()
        response = client.form(
            "/login",
            {"email": f"nobody{n}@example.com", "password": "wrong-password"},
            headers={"X-Forwarded-For": address},
        )
        statuses.append(response.status_code)
    return statuses


def test_without_trusted_proxies_a_local_client_cannot_forge_its_address(served):
    options = served("")
    with _client(options, "127.0.0.1") as client:
        forged = [f"203.0.113.{n}" for n in range(LIMIT + 2)]
        assert _failed_sign_ins(client, forged) == [400] * LIMIT + [429, 429]
    assert options["proxy_headers"] is False


def test_an_untrusted_peer_is_counted_by_its_own_address(served):
    options = served("10.0.0.5")
    with _client(options, "192.0.2.7") as client:
        forged = [f"203.0.113.{n}" for n in range(LIMIT + 1)]
        assert _failed_sign_ins(client, forged) == [400] * LIMIT + [429]


@pytest.mark.parametrize("trusted", ["10.0.0.5", "10.0.0.0/24, 192.168.1.1"])
def test_a_trusted_proxy_passes_on_the_real_client_address(served, trusted):
    options = served(trusted)
    assert options["proxy_headers"] is True
    with _client(options, "10.0.0.5") as client:
        # Different people behind the proxy are counted apart ...
        many = [f"203.0.113.{n}" for n in range(LIMIT + 1)]
        assert _failed_sign_ins(client, many) == [400] * (LIMIT + 1)
        # ... and one of them is counted as one, whatever it claims before the proxy's entry.
        one = [f"198.51.100.{n}, 192.0.2.9" for n in range(LIMIT + 1)]
        assert _failed_sign_ins(client, one) == [400] * LIMIT + [429]


def test_uvicorn_environment_variable_is_not_what_decides(served, monkeypatch):
    monkeypatch.setenv("FORWARDED_ALLOW_IPS", "*")
    options = served("")
    assert options["proxy_headers"] is False
    assert options["forwarded_allow_ips"] == []


def test_trusted_proxies_must_be_addresses_or_networks(monkeypatch):
    monkeypatch.setenv("AGORA_TRUSTED_PROXIES", "10.0.0.1, 10.1.0.0/16 ,::1")
    assert Settings().trusted_proxy_list == ["10.0.0.1", "10.1.0.0/16", "::1"]
    monkeypatch.setenv("AGORA_TRUSTED_PROXIES", "")
    assert Settings().trusted_proxy_list == []
    for bad in ("proxy.example.com", "*", "10.0.0.300", "10.0.0.1/33", "10.0.0.5/24"):
        monkeypatch.setenv("AGORA_TRUSTED_PROXIES", bad)
        with pytest.raises(ValidationError):
            Settings()
