"""`agora backup` takes the uploaded files along (local disk); an object store keeps its own."""

from pathlib import Path

from app.core.config import Settings
from app.uploads.backup import backup_files, files_archive, restore_files
from app.uploads.storage import LocalStorage, key_for, new_token


def test_files_round_trip(tmp_path: Path) -> None:
    settings = Settings(storage_url=(tmp_path / "uploads").as_uri())
    storage = LocalStorage(tmp_path / "uploads")
    source = tmp_path / "source"
    source.write_bytes(b"the slides")
    key = key_for(new_token(), "original")
    storage.put(key, source, "application/pdf")
    backup = tmp_path / "site.backup"

    result = backup_files(settings, backup)

    assert (result.path, result.files, result.bytes) == (files_archive(backup), 1, 10)
    assert result.path is not None and result.path.stat().st_mode & 0o077 == 0
    storage.delete(key)
    assert restore_files(settings, backup) == 1
    assert b"".join(storage.read(key)) == b"the slides"


def test_object_store_files_are_not_copied(tmp_path: Path) -> None:
    settings = Settings(storage_url="s3://bucket/agora", s3_endpoint="http://127.0.0.1:1")
    result = backup_files(settings, tmp_path / "site.backup")
    assert result.path is None
    assert not files_archive(tmp_path / "site.backup").exists()
    assert restore_files(settings, tmp_path / "site.backup") is None
