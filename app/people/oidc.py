"""The OpenID provider as Agora sees it: discovery, signing keys, the code exchange, ID and
logout token checks, userinfo and refresh. No database and no HTTP framework in here.

Authlib speaks OAuth 2 (PKCE, the token endpoint); joserfc, from the same authors, checks the
tokens' signatures. The claims are checked here one by one, so a refusal names its reason."""

import threading
import time
from dataclasses import dataclass
from typing import Any

import requests
from authlib.integrations.base_client.errors import OAuthError
from authlib.integrations.requests_client import OAuth2Session
from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet
from joserfc.jws import extract_compact

from app.core.config import get_settings

TIMEOUT_SECONDS = 10
# Asymmetric algorithms only: "none" and shared-secret HMAC are never accepted for ID tokens.
SIGNING_ALGORITHMS = ["RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384"]
CLOCK_LEEWAY_SECONDS = 60
DISCOVERY_CACHE_SECONDS = 3600
BACKCHANNEL_LOGOUT_EVENT = "http://schemas.openid.net/event/backchannel-logout"


class ProviderError(Exception):
    """The provider or its answer cannot be used. ``reason`` is a short word for the audit log."""

    def __init__(self, reason: str, detail: str = "") -> None:
        super().__init__(f"{reason}: {detail}" if detail else reason)
        self.reason = reason
        self.detail = detail


@dataclass
class _Provider:
    metadata: dict[str, Any]
    keys: KeySet
    fetched_at: float


_lock = threading.Lock()
_providers: dict[str, _Provider] = {}


def _get_json(url: str) -> dict[str, Any]:
    try:
        response = requests.get(url, timeout=TIMEOUT_SECONDS)
        response.raise_for_status()
        answer = response.json()
    except (requests.RequestException, ValueError) as exc:
        raise ProviderError("provider_unreachable", f"{url}: {exc}") from None
    if not isinstance(answer, dict):
        raise ProviderError("provider_unreachable", f"{url}: not a JSON object")
    return answer


def _discover(issuer: str) -> _Provider:
    metadata = _get_json(f"{issuer}/.well-known/openid-configuration")
    if metadata.get("issuer") != issuer:
        # OpenID Connect Discovery 4.3: a mismatch means the document is not this issuer's.
        raise ProviderError("wrong_issuer", f"discovery names {metadata.get('issuer')!r}")
    return _Provider(metadata=metadata, keys=_keys(metadata), fetched_at=time.monotonic())


def _keys(metadata: dict[str, Any]) -> KeySet:
    try:
        return KeySet.import_key_set(_get_json(str(metadata["jwks_uri"])))  # type: ignore[arg-type]
    except (KeyError, ValueError, JoseError) as exc:
        raise ProviderError("provider_unreachable", f"signing keys: {exc}") from None


def _provider(*, fresh_keys: bool = False) -> _Provider:
    issuer = get_settings().oidc_issuer
    with _lock:
        known = _providers.get(issuer)
        if known is None or time.monotonic() - known.fetched_at > DISCOVERY_CACHE_SECONDS:
            known = _providers[issuer] = _discover(issuer)
        elif fresh_keys:
            # The provider rotated its keys: a token names a key we have not seen yet.
            known.keys = _keys(known.metadata)
        return known


def forget_provider() -> None:
    """Drop what was learnt about providers (tests, and a changed configuration)."""
    with _lock:
        _providers.clear()


def end_session_endpoint() -> str | None:
    value = _provider().metadata.get("end_session_endpoint")
    return str(value) if value else None


def _client(redirect_uri: str | None = None) -> OAuth2Session:
    settings = get_settings()
    return OAuth2Session(
        client_id=settings.oidc_client_id,
        client_secret=settings.oidc_client_secret,
        scope=settings.oidc_scopes,
        redirect_uri=redirect_uri,
        code_challenge_method="S256",
        token_endpoint_auth_method="client_secret_basic",  # noqa: S106 - a method's name
    )


def authorization_url(*, redirect_uri: str, state: str, nonce: str, code_verifier: str) -> str:
    """Where to send the browser: the provider's sign-in, with state, nonce and PKCE."""
    endpoint = str(_provider().metadata["authorization_endpoint"])
    with _client(redirect_uri) as client:
        url, _state = client.create_authorization_url(
            endpoint, state=state, nonce=nonce, code_verifier=code_verifier
        )
    return str(url)


def exchange_code(*, redirect_uri: str, code: str, code_verifier: str) -> dict[str, Any]:
    """Trade the authorization code for tokens (the code verifier proves it is our flow)."""
    endpoint = str(_provider().metadata["token_endpoint"])
    with _client(redirect_uri) as client:
        try:
            token = client.fetch_token(
                endpoint,
                code=code,
                code_verifier=code_verifier,
                timeout=TIMEOUT_SECONDS,
            )
        except (OAuthError, requests.RequestException, ValueError) as exc:
            raise ProviderError("code_exchange_failed", str(exc)) from None
    if not token.get("id_token"):
        raise ProviderError("no_id_token")
    return dict(token)


def refresh(refresh_token: str) -> dict[str, Any] | None:
    """Ask the provider whether the person is still with us; None when it says no.

    Raises ProviderError when the provider cannot be asked (then nothing is decided)."""
    endpoint = str(_provider().metadata["token_endpoint"])
    with _client() as client:
        try:
            token = client.refresh_token(
                endpoint, refresh_token=refresh_token, timeout=TIMEOUT_SECONDS
            )
        except OAuthError as exc:
            if exc.error in ("invalid_grant", "unauthorized_client"):
                return None
            raise ProviderError("refresh_failed", str(exc)) from None
        except (requests.RequestException, ValueError) as exc:
            raise ProviderError("refresh_failed", str(exc)) from None
    return dict(token)


def userinfo(access_token: str) -> dict[str, Any]:
    """The claims many providers release only here (email, groups)."""
    endpoint = _provider().metadata.get("userinfo_endpoint")
    if not endpoint or not access_token:
        return {}
    try:
        response = requests.get(
            str(endpoint),
            headers={"Authorization": f"Bearer {access_token}"},
            timeout=TIMEOUT_SECONDS,
        )
        response.raise_for_status()
        claims = response.json()
    except (requests.RequestException, ValueError) as exc:
        raise ProviderError("userinfo_failed", str(exc)) from None
    if not isinstance(claims, dict):
        raise ProviderError("userinfo_failed", "not a JSON object")
    return claims


def _signed_claims(token: str) -> dict[str, Any]:
    """The token's claims if a current key of the provider signed it, with an allowed algorithm."""
    try:
        header = extract_compact(token.encode()).headers()
    except (JoseError, ValueError) as exc:
        raise ProviderError("malformed_token", str(exc)) from None
    if header.get("alg") not in SIGNING_ALGORITHMS:
        raise ProviderError("bad_algorithm", str(header.get("alg")))
    kid = header.get("kid")
    keys = _provider().keys
    if kid is not None and not any(key.kid == kid for key in keys.keys):
        keys = _provider(fresh_keys=True).keys
        if not any(key.kid == kid for key in keys.keys):
            raise ProviderError("unknown_key", str(kid))
    try:
        return dict(jwt.decode(token, keys, algorithms=SIGNING_ALGORITHMS).claims)
    except (JoseError, ValueError) as exc:
        raise ProviderError("bad_signature", str(exc)) from None


def _check_issuer_audience_times(claims: dict[str, Any], *, expiring: bool) -> None:
    settings = get_settings()
    if claims.get("iss") != settings.oidc_issuer:
        raise ProviderError("wrong_issuer", str(claims.get("iss")))
    audience = claims.get("aud")
    audiences = audience if isinstance(audience, list) else [audience]
    if settings.oidc_client_id not in audiences:
        raise ProviderError("wrong_audience", str(audience))
    if len(audiences) > 1 and claims.get("azp") != settings.oidc_client_id:
        raise ProviderError("wrong_audience", f"azp {claims.get('azp')!r}")
    now = time.time()
    issued_at = claims.get("iat")
    if not isinstance(issued_at, int | float) or issued_at > now + CLOCK_LEEWAY_SECONDS:
        raise ProviderError("bad_issued_at", str(issued_at))
    if expiring:
        expires_at = claims.get("exp")
        if not isinstance(expires_at, int | float) or expires_at < now - CLOCK_LEEWAY_SECONDS:
            raise ProviderError("expired_token", str(expires_at))
    if not isinstance(claims.get("sub"), str) or not claims["sub"]:
        raise ProviderError("no_subject")


def verify_id_token(token: str, *, nonce: str) -> dict[str, Any]:
    """The ID token's claims after checking signature, issuer, audience, expiry and nonce."""
    claims = _signed_claims(token)
    _check_issuer_audience_times(claims, expiring=True)
    if claims.get("nonce") != nonce:
        raise ProviderError("bad_nonce")
    return claims


def verify_logout_token(token: str) -> dict[str, Any]:
    """A back-channel logout token's claims (OpenID Connect Back-Channel Logout 1.0, 2.6)."""
    claims = _signed_claims(token)
    _check_logout_claims(claims)
    return claims


def _check_logout_claims(claims: dict[str, Any]) -> None:
    if not claims.get("sub") and not claims.get("sid"):
        raise ProviderError("no_subject")
    settings = get_settings()
    if claims.get("iss") != settings.oidc_issuer:
        raise ProviderError("wrong_issuer", str(claims.get("iss")))
    audience = claims.get("aud")
    if settings.oidc_client_id not in (audience if isinstance(audience, list) else [audience]):
        raise ProviderError("wrong_audience", str(audience))
    events = claims.get("events")
    if not isinstance(events, dict) or BACKCHANNEL_LOGOUT_EVENT not in events:
        raise ProviderError("not_a_logout_token")
    if "nonce" in claims:
        raise ProviderError("not_a_logout_token", "has a nonce")
    expires_at = claims.get("exp")
    if isinstance(expires_at, int | float) and expires_at < time.time() - CLOCK_LEEWAY_SECONDS:
        raise ProviderError("expired_token", str(expires_at))
