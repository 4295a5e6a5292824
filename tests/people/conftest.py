"""Single sign-on fixtures: a real OpenID provider (tests/oidc) and Agora configured for it."""

import threading
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs

import pytest
import requests

from app.core.config import get_settings
from app.people.oidc import forget_provider
from tests.conftest import WebClient
from tests.oidc.provider import CLIENT_ID, CLIENT_SECRET, Provider, running_provider

CALLBACK = "http://testserver/auth/oidc/callback"
SIGNED_OUT = "http://testserver/login"


class LogoutInbox:
    """Where the provider posts back-channel logout tokens (Agora's TestClient has no port)."""

    def __init__(self) -> None:
        self.tokens: list[str] = []
        self.arrived = threading.Event()
        inbox = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("content-length", 0))).decode()
                inbox.tokens.extend(parse_qs(body).get("logout_token", []))
                inbox.arrived.set()
                self.send_response(200)
                self.end_headers()

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/logout"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def wait(self) -> str:
        assert self.arrived.wait(10), "the provider sent no logout token"
        self.arrived.clear()
        return self.tokens.pop()


@pytest.fixture(scope="module")
def logout_inbox() -> Iterator[LogoutInbox]:
    inbox = LogoutInbox()
    yield inbox
    inbox.server.shutdown()
    inbox.server.server_close()


@pytest.fixture(scope="module")
def provider(logout_inbox: LogoutInbox) -> Iterator[Provider]:
    with running_provider(
        redirect_uris=[CALLBACK],
        backchannel_logout_uri=logout_inbox.url,
        post_logout_redirect_uris=[SIGNED_OUT],
    ) as running:
        yield running


def configure_sso(monkeypatch: pytest.MonkeyPatch, issuer: str, **settings: str) -> None:
    """Point Agora at a provider (AGORA_OIDC_*), for this test only."""
    values = {
        "AGORA_OIDC_ISSUER": issuer,
        "AGORA_OIDC_CLIENT_ID": CLIENT_ID,
        "AGORA_OIDC_CLIENT_SECRET": CLIENT_SECRET,
        "AGORA_OIDC_NAME": "Example Corp",
        "AGORA_OIDC_SCOPES": "openid email profile groups",
        "AGORA_OIDC_GROUPS_CLAIM": "groups",
        **settings,
    }
    for name, value in values.items():
        monkeypatch.setenv(name, value)
    get_settings.cache_clear()
    forget_provider()


@pytest.fixture
def sso(monkeypatch: pytest.MonkeyPatch, provider: Provider) -> Iterator[Provider]:
    """Agora signs in through the test provider; its people start empty."""
    provider.people.clear()
    provider.people_file.write_text("{}")
    configure_sso(monkeypatch, provider.issuer)
    yield provider
    monkeypatch.undo()
    get_settings.cache_clear()
    forget_provider()


@pytest.fixture
def sso_sign_in(sso: Provider) -> Iterator[Callable[..., tuple[object, requests.Session]]]:
    """sso_sign_in(client, subject, next="/") -> (the callback's response, the provider
    browser), after signing in at the provider as that person (a fresh provider browser)."""
    browsers: list[requests.Session] = []

    def _sign_in(client: WebClient, subject: str, next: str = "/"):  # type: ignore[no-untyped-def]
        start = client.get(f"/auth/oidc/login?next={next}", follow_redirects=False)
        assert start.status_code == 303, start.text
        browser = requests.Session()
        browsers.append(browser)
        back = sso.sign_in(browser, start.headers["location"], subject=subject)
        assert back.startswith(CALLBACK), back
        response = client.get(back.removeprefix("http://testserver"), follow_redirects=False)
        return response, browser

    yield _sign_in
    for browser in browsers:
        browser.close()
