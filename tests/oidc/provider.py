"""A real OpenID provider for the tests: panva/oidc-provider (certified) run by Node.js from
tests/oidc/provider/, with people the tests write to a file, and a client that signs in through
its login and consent pages over plain HTTP.

Without Node.js, or when its packages cannot be installed, the tests that need the provider
skip on a developer's machine and fail in CI (where .ci/run installs Node.js)."""

import json
import os
import re
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urljoin

import pytest
import requests

HERE = Path(__file__).parent / "provider"
CLIENT_ID = "agora"
CLIENT_SECRET = "agora-test-client-secret"


def _unavailable(reason: str) -> None:
    if os.environ.get("CI"):
        pytest.fail(f"the OpenID provider for the tests cannot run: {reason}")
    pytest.skip(f"the OpenID provider for the tests cannot run: {reason}")


def _installed() -> None:
    if shutil.which("node") is None or shutil.which("npm") is None:
        _unavailable("Node.js and npm are missing (apt-get install nodejs npm)")
    if (HERE / "node_modules" / "oidc-provider").is_dir():
        return
    result = subprocess.run(
        ["npm", "ci", "--no-audit", "--no-fund"],
        cwd=HERE,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    if result.returncode != 0:
        _unavailable(f"npm ci failed:\n{result.stdout}{result.stderr}")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@dataclass
class Provider:
    issuer: str
    people_file: Path
    people: dict[str, dict[str, Any]] = field(default_factory=dict)

    def add_person(
        self,
        subject: str,
        *,
        email: str,
        name: str = "",
        verified: bool = True,
        groups: list[str] | None = None,
        **claims: Any,
    ) -> None:
        """Create or replace a person at the provider."""
        claims = {"email": email, "email_verified": verified, "name": name, **claims}
        if groups is not None:
            claims["groups"] = groups
        self.people[subject] = {"claims": claims}
        self._save()

    def set_groups(self, subject: str, groups: list[str]) -> None:
        self.people[subject]["claims"]["groups"] = groups
        self._save()

    def disable(self, subject: str) -> None:
        self.people[subject]["disabled"] = True
        self._save()

    def _save(self) -> None:
        self.people_file.write_text(json.dumps(self.people))

    def sign_in(self, browser: requests.Session, start: str, *, subject: str) -> str:
        """Follow the provider from the authorization address through its login and consent
        pages as `subject`; returns the address it sends the browser back to (not followed)."""
        url = start
        for _ in range(12):
            if not url.startswith(self.issuer):
                return url
            response = browser.get(url, allow_redirects=False, timeout=10)
            if response.is_redirect:
                url = urljoin(url, response.headers["location"])
                continue
            response = self._answer(browser, url, response.text, subject)
            url = urljoin(url, response.headers["location"])
        raise AssertionError(f"the provider never sent the browser back (last at {url})")

    @staticmethod
    def _answer(browser: requests.Session, url: str, page: str, subject: str) -> Any:
        action = re.search(r'<form[^>]*action="([^"]+)"', page)
        prompt = re.search(r'name="prompt" value="(\w+)"', page)
        if action is None or prompt is None:
            raise AssertionError(f"unexpected provider page at {url}:\n{page[:2000]}")
        form = {"prompt": prompt.group(1)}
        if prompt.group(1) == "login":
            form |= {"login": subject, "password": "any"}
        response = browser.post(urljoin(url, action.group(1)), data=form, allow_redirects=False)
        assert response.is_redirect, response.text[:2000]
        return response

    def end_session(self, browser: requests.Session, start: str | None = None) -> Any:
        """Sign out at the provider, RP-less or (`start`: the address a client sent the browser
        to) RP-initiated; it then calls every client's back-channel logout address for that
        provider session. Returns the confirmation's answer (a redirect to the client's
        post-logout address when the client named one)."""
        page = browser.get(start or f"{self.issuer}/session/end", timeout=10)
        xsrf = re.search(r'name="xsrf" value="([^"]+)"', page.text)
        assert xsrf, page.text[:2000]
        response = browser.post(
            f"{self.issuer}/session/end/confirm",
            data={"xsrf": xsrf.group(1), "logout": "yes"},
            allow_redirects=False,
            timeout=10,
        )
        assert response.status_code in (200, 303), response.text[:2000]
        return response


def _wait_for(issuer: str, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the OpenID provider exited:\n{log.read_text()}")
        try:
            if requests.get(f"{issuer}/.well-known/openid-configuration", timeout=2).ok:
                return
        except requests.RequestException:
            time.sleep(0.1)
    raise RuntimeError(f"the OpenID provider did not start:\n{log.read_text()}")


@contextmanager
def running_provider(
    *,
    redirect_uris: list[str],
    backchannel_logout_uri: str | None = None,
    post_logout_redirect_uris: list[str] | None = None,
) -> Iterator[Provider]:
    """Start the provider with Agora as its one client; stopped on leaving."""
    _installed()
    folder = Path(tempfile.mkdtemp(prefix="agora-oidc-"))
    port = _free_port()
    client: dict[str, Any] = {
        "client_id": CLIENT_ID,
        "client_secret": CLIENT_SECRET,
        "redirect_uris": redirect_uris,
        "grant_types": ["authorization_code", "refresh_token"],
        "response_types": ["code"],
    }
    if post_logout_redirect_uris:
        client["post_logout_redirect_uris"] = post_logout_redirect_uris
    if backchannel_logout_uri:
        client["backchannel_logout_uri"] = backchannel_logout_uri
        client["backchannel_logout_session_required"] = True
    people = folder / "people.json"
    people.write_text("{}")
    config = folder / "config.json"
    config.write_text(json.dumps({"port": port, "people": str(people), "clients": [client]}))
    log = folder / "provider.log"
    with log.open("wb") as output:
        process = subprocess.Popen(
            ["node", str(HERE / "provider.mjs"), str(config)],
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    issuer = f"http://127.0.0.1:{port}"
    try:
        _wait_for(issuer, process, log)
        yield Provider(issuer=issuer, people_file=people)
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        shutil.rmtree(folder, ignore_errors=True)
