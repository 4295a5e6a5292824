"""Refresh tokens are stored sealed with a key from AGORA_SECRET_KEY."""

import pytest

from app.core.config import get_settings
from app.people.sealing import seal, unseal


def test_a_sealed_token_opens_only_with_the_same_secret_key(monkeypatch) -> None:
    sealed = seal("refresh-token-123")
    assert sealed and "refresh-token-123" not in sealed
    assert unseal(sealed) == "refresh-token-123"
    monkeypatch.setenv("AGORA_SECRET_KEY", "another-secret-key-that-is-long-enough-0123456789")
    get_settings.cache_clear()
    try:
        assert unseal(sealed) is None
    finally:
        monkeypatch.undo()
        get_settings.cache_clear()


@pytest.mark.parametrize("token", [None, ""])
def test_no_token_is_stored_as_none(token) -> None:
    assert seal(token) is None
    assert unseal(token) is None


def test_a_token_too_long_to_keep_is_not_kept() -> None:
    assert seal("x" * 3500) is None
    assert seal("x" * 2000) is not None
