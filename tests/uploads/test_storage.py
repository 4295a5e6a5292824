"""Both stores behind one interface: the same tests on a folder and on a real S3 server."""

from collections.abc import Iterator
from pathlib import Path

import pytest
from botocore.exceptions import ClientError

from app.core.config import Settings
from app.core.db import utcnow
from app.uploads.storage import (
    LocalStorage,
    S3Storage,
    Storage,
    check_key,
    key_for,
    new_token,
    storage_from_settings,
)
from tests.uploads.s3server import ACCESS_KEY, SECRET_KEY, S3Server


@pytest.fixture(params=["local", "s3"])
def storage(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Storage]:
    if request.param == "local":
        yield LocalStorage(tmp_path / "uploads")
        return
    server: S3Server = request.getfixturevalue("s3_server")
    settings = Settings(
        storage_url=f"s3://agora-test/{tmp_path.name}",
        s3_endpoint=server.endpoint,
        s3_access_key=ACCESS_KEY,
        s3_secret_key=SECRET_KEY,
    )
    yield storage_from_settings(settings)


def _file(tmp_path: Path, size: int) -> Path:
    path = tmp_path / "source.bin"
    path.write_bytes(bytes(range(256)) * (size // 256) + b"x" * (size % 256))
    return path


def test_put_read_list_delete(storage: Storage, tmp_path: Path) -> None:
    # Larger than one chunk and than boto's multipart threshold (8 MB): parts and chunks join up.
    source = _file(tmp_path, 9 * 1024 * 1024 + 7)
    key = key_for(new_token(), "original")
    assert not storage.exists(key)
    storage.put(key, source, "application/octet-stream")
    assert storage.exists(key)
    assert b"".join(storage.read(key)) == source.read_bytes()
    stored = {item.key: item for item in storage.objects()}
    assert stored[key].size == source.stat().st_size
    assert abs((stored[key].modified - utcnow()).total_seconds()) < 120
    storage.delete(key)
    with pytest.raises(FileNotFoundError):
        storage.read(key)
    assert key not in {item.key for item in storage.objects()}
    assert not storage.exists(key)
    storage.delete(key)  # deleting nothing is fine


def test_put_overwrites(storage: Storage, tmp_path: Path) -> None:
    key = key_for(new_token(), "thumb.webp")
    first, second = tmp_path / "a", tmp_path / "b"
    first.write_bytes(b"first")
    second.write_bytes(b"second")
    storage.put(key, first, "image/webp")
    storage.put(key, second, "image/webp")
    assert b"".join(storage.read(key)) == b"second"


@pytest.mark.parametrize(
    "key", ["../etc/passwd", "ab/cd/../../x", "/abs/path", "ab/cd/short/original", "AB/cd/x/y"]
)
def test_keys_never_come_from_outside(key: str) -> None:
    with pytest.raises(ValueError, match="not a storage key"):
        check_key(key)


def test_local_store_leaves_no_partial_file(tmp_path: Path) -> None:
    storage = LocalStorage(tmp_path / "uploads")
    key = key_for(new_token(), "original")
    with pytest.raises(FileNotFoundError):
        storage.put(key, tmp_path / "missing", "text/plain")
    assert list((tmp_path / "uploads").rglob("*.partial-*")) == []
    assert list(storage.objects()) == []


def test_local_path_only_for_disk(tmp_path: Path, s3_server: S3Server) -> None:
    key = key_for(new_token(), "original")
    assert LocalStorage(tmp_path).local_path(key) == tmp_path / key
    assert S3Storage("agora-test", "", s3_server.client()).local_path(key) is None


def test_s3_refuses_a_wrong_secret(s3_server: S3Server, tmp_path: Path) -> None:
    storage = S3Storage("agora-test", "x", s3_server.client(secret="wrong-secret"))
    with pytest.raises(ClientError):
        storage.put(key_for(new_token(), "original"), _file(tmp_path, 10), "text/plain")


def test_storage_url_must_be_a_folder_or_a_bucket() -> None:
    with pytest.raises(ValueError, match="AGORA_STORAGE_URL"):
        Settings(storage_url="http://example.com/files")
    assert isinstance(storage_from_settings(Settings(storage_url="file:///tmp/x")), LocalStorage)
