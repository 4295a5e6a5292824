"""Refresh tokens are kept sealed (Fernet, keyed from AGORA_SECRET_KEY): a copy of the database
alone cannot be used to obtain tokens from the identity provider."""

import base64
import hashlib
import logging

from cryptography.fernet import Fernet, InvalidToken

from app.core.config import get_settings

log = logging.getLogger("agora.sso")
STORED_MAX = 4000  # the column's length


def _fernet() -> Fernet:
    secret = f"agora-oidc-refresh-token:{get_settings().secret_key}".encode()
    return Fernet(base64.urlsafe_b64encode(hashlib.sha256(secret).digest()))


def seal(token: str | None) -> str | None:
    """The token as stored; None when there is none or it is too long to keep."""
    if not token:
        return None
    sealed = _fernet().encrypt(token.encode()).decode()
    if len(sealed) > STORED_MAX:
        log.warning("a refresh token of %s characters is too long to keep", len(token))
        return None
    return sealed


def unseal(stored: str | None) -> str | None:
    """The token, or None when it cannot be opened (e.g. the secret key changed)."""
    if not stored:
        return None
    try:
        return _fernet().decrypt(stored.encode()).decode()
    except InvalidToken:
        return None
