"""ID tokens Agora must refuse, each with a clear page and an audit entry; key rotation.

The provider's answers are forged here (a real provider signs only good tokens): discovery and
keys come from a dictionary, the code exchange returns the token under test."""

import base64
import json
import time
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from joserfc import jwt
from joserfc.jwk import KeySet, OctKey, RSAKey
from sqlmodel import select

from app.people import oidc
from app.people.models import AuditEntry, User
from tests.oidc.provider import CLIENT_ID
from tests.people.conftest import configure_sso

ISSUER = "http://127.0.0.1:9"
KEY = RSAKey.generate_key(2048, parameters={"kid": "k1"})
ROTATED = RSAKey.generate_key(2048, parameters={"kid": "k2"})
STRANGER = RSAKey.generate_key(2048, parameters={"kid": "k1"})


class FakeProvider:
    def __init__(self) -> None:
        self.keys = [KEY]
        self.id_token = ""

    def get_json(self, url: str) -> dict[str, Any]:
        if url == f"{ISSUER}/.well-known/openid-configuration":
            return {
                "issuer": ISSUER,
                "authorization_endpoint": f"{ISSUER}/auth",
                "token_endpoint": f"{ISSUER}/token",
                "jwks_uri": f"{ISSUER}/jwks",
            }
        assert url == f"{ISSUER}/jwks"
        return KeySet(self.keys).as_dict(private=False)  # type: ignore[arg-type]

    def exchange_code(self, **_kwargs: Any) -> dict[str, Any]:
        return {"id_token": self.id_token, "access_token": ""}


@pytest.fixture
def fake(monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    configure_sso(monkeypatch, ISSUER)
    provider = FakeProvider()
    monkeypatch.setattr(oidc, "_get_json", provider.get_json)
    monkeypatch.setattr(oidc, "exchange_code", provider.exchange_code)
    yield provider
    oidc.forget_provider()


def _claims(nonce: str, **changes: Any) -> dict[str, Any]:
    now = int(time.time())
    claims = {
        "iss": ISSUER,
        "aud": CLIENT_ID,
        "sub": "u-1",
        "iat": now,
        "exp": now + 300,
        "nonce": nonce,
        "email": "eve@example.com",
        "email_verified": True,
        "name": "Eve",
    }
    claims.update(changes)
    return {name: value for name, value in claims.items() if value is not None}


def _unsigned(claims: dict[str, Any]) -> str:
    def part(value: dict[str, Any]) -> str:
        return base64.urlsafe_b64encode(json.dumps(value).encode()).decode().rstrip("=")

    return f"{part({'alg': 'none', 'typ': 'JWT'})}.{part(claims)}."


def _start(client) -> tuple[str, str]:  # type: ignore[no-untyped-def]
    start = client.get("/auth/oidc/login", follow_redirects=False)
    query = parse_qs(urlsplit(start.headers["location"]).query)
    assert query["code_challenge_method"] == ["S256"] and query["code_challenge"]
    return query["state"][0], query["nonce"][0]


def _callback(client, state: str):  # type: ignore[no-untyped-def]
    return client.get(f"/auth/oidc/callback?state={state}&code=c", follow_redirects=False)


CASES = {
    "wrong_issuer": lambda nonce: jwt.encode(
        {"alg": "RS256", "kid": "k1"}, _claims(nonce, iss="http://127.0.0.1:8"), KEY
    ),
    "wrong_audience": lambda nonce: jwt.encode(
        {"alg": "RS256", "kid": "k1"}, _claims(nonce, aud="someone-else"), KEY
    ),
    "expired_token": lambda nonce: jwt.encode(
        {"alg": "RS256", "kid": "k1"},
        _claims(nonce, iat=int(time.time()) - 3600, exp=int(time.time()) - 600),
        KEY,
    ),
    "bad_nonce": lambda nonce: jwt.encode(
        {"alg": "RS256", "kid": "k1"}, _claims("another-flow"), KEY
    ),
    "bad_algorithm": lambda nonce: _unsigned(_claims(nonce)),
    "unknown_key": lambda nonce: jwt.encode(
        {"alg": "RS256", "kid": "k9"}, _claims(nonce), RSAKey.generate_key(2048)
    ),
    "bad_signature": lambda nonce: jwt.encode(
        {"alg": "RS256", "kid": "k1"}, _claims(nonce), STRANGER
    ),
}


@pytest.mark.parametrize("reason", list(CASES))
def test_a_bad_id_token_is_refused(client, session, fake, reason: str) -> None:
    state, nonce = _start(client)
    fake.id_token = CASES[reason](nonce)
    response = _callback(client, state)
    assert response.status_code == 400
    assert "Sign-in refused" in response.text
    assert "agora_session" not in response.cookies
    assert session.exec(select(User)).first() is None
    audit = session.exec(select(AuditEntry).where(AuditEntry.action == "sso.refused")).one()
    assert audit.detail.startswith(reason)


def test_a_token_signed_with_a_shared_secret_is_refused(client, session, fake) -> None:
    state, nonce = _start(client)
    secret = OctKey.import_key("agora-test-client-secret-that-is-long-enough")
    fake.id_token = jwt.encode({"alg": "HS256"}, _claims(nonce), secret)
    assert _callback(client, state).status_code == 400


def test_a_good_token_signs_in(client, session, fake) -> None:
    state, nonce = _start(client)
    fake.id_token = jwt.encode({"alg": "RS256", "kid": "k1"}, _claims(nonce), KEY)
    response = _callback(client, state)
    assert response.status_code == 303, response.text
    assert session.exec(select(User.email)).one() == "eve@example.com"


def test_rotated_keys_are_fetched_again(client, session, fake) -> None:
    state, nonce = _start(client)  # the provider's keys are known from here on
    fake.keys = [KEY, ROTATED]
    fake.id_token = jwt.encode({"alg": "RS256", "kid": "k2"}, _claims(nonce), ROTATED)
    assert _callback(client, state).status_code == 303


def test_an_issuer_must_be_https_in_production(monkeypatch: pytest.MonkeyPatch) -> None:
    from pydantic import ValidationError

    from app.core.config import Settings

    base = {"oidc_client_id": "a", "oidc_client_secret": "b"}
    assert Settings(oidc_issuer="https://login.example.com/", **base).oidc_issuer == (
        "https://login.example.com"
    )
    assert Settings(oidc_issuer="http://localhost:8080", **base).oidc_enabled
    with pytest.raises(ValidationError, match="https://"):
        Settings(oidc_issuer="http://login.example.com", **base)
    with pytest.raises(ValidationError, match="https://"):
        Settings(
            env="production",
            secret_key="x" * 40,
            oidc_issuer="http://127.0.0.1:8080",
            **base,
        )
    with pytest.raises(ValidationError, match="CLIENT_ID"):
        Settings(oidc_issuer="https://login.example.com")
