"""One size limit: AGORA_UPLOAD_MAX_MB, with AGORA_PICTURE_MAX_MB as its deprecated alias."""

import io

import pytest

from app.core.config import Settings, get_settings
from app.core.errors import Invalid
from app.images.processing import MB, read_picture


def test_the_old_picture_limit_stands_in_when_only_it_is_set(monkeypatch):
    monkeypatch.setenv("AGORA_PICTURE_MAX_MB", "5")
    monkeypatch.delenv("AGORA_UPLOAD_MAX_MB", raising=False)
    assert Settings(_env_file=None).upload_max_mb == 5


def test_the_upload_limit_wins_when_both_are_set(monkeypatch):
    monkeypatch.setenv("AGORA_PICTURE_MAX_MB", "5")
    monkeypatch.setenv("AGORA_UPLOAD_MAX_MB", "30")
    assert Settings(_env_file=None).upload_max_mb == 30


def test_pictures_are_bounded_by_the_upload_limit(monkeypatch):
    monkeypatch.setattr(get_settings(), "upload_max_mb", 2)
    assert len(read_picture(io.BytesIO(b"x" * 2 * MB))) == 2 * MB
    with pytest.raises(Invalid) as refused:
        read_picture(io.BytesIO(b"x" * (2 * MB + 1)))
    assert refused.value.text() == "The file is too large (at most 2 MB)."
