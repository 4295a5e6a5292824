"""Signed, expiring one-click unsubscribe links (RFC 8058): they work without signing in."""

import base64
import hashlib
import hmac
import time
from dataclasses import dataclass

from app.core.config import get_settings

VALID_SECONDS = 90 * 86400
# The digest as a whole is unsubscribed under this name; the other names are EMAIL_KINDS.
DIGEST = "digest"


@dataclass(frozen=True)
class Unsubscribe:
    user_id: int
    kind: str


def _signature(payload: str) -> str:
    key = ("unsubscribe:" + get_settings().secret_key).encode()
    return hmac.new(key, payload.encode(), hashlib.sha256).hexdigest()[:32]


def make_token(user_id: int, kind: str, *, now: float | None = None) -> str:
    expires = int((now if now is not None else time.time()) + VALID_SECONDS)
    payload = f"{user_id}.{kind}.{expires}"
    encoded = base64.urlsafe_b64encode(payload.encode()).decode().rstrip("=")
    return f"{encoded}.{_signature(payload)}"


def read_token(token: str, *, now: float | None = None) -> Unsubscribe | None:
    """What a token unsubscribes from; None when it is forged, garbled or expired."""
    encoded, _dot, signature = token.partition(".")
    try:
        payload = base64.urlsafe_b64decode(encoded + "=" * (-len(encoded) % 4)).decode()
        user_id, kind, expires = payload.split(".")
        if not hmac.compare_digest(signature, _signature(payload)):
            return None
        if int(expires) < (now if now is not None else time.time()):
            return None
        return Unsubscribe(user_id=int(user_id), kind=kind)
    except (ValueError, UnicodeDecodeError):
        return None


def unsubscribe_url(user_id: int, kind: str) -> str:
    return f"{get_settings().base_url.rstrip('/')}/unsubscribe/{make_token(user_id, kind)}"
