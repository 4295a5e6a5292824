"""Where uploaded files live: one interface, a folder on local disk or an S3-compatible store.

`AGORA_STORAGE_URL` picks it: `file:///srv/agora/uploads` (the default is var/uploads) for one
host, `s3://bucket/prefix` (with AGORA_S3_ENDPOINT and keys) when several processes or hosts
share the files. Keys are made by the app (`new_key`), never taken from a request, and checked
again here, so no user input ever becomes a path.
"""

import hashlib
import os
import re
import secrets
import shutil
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any, BinaryIO, Protocol
from urllib.parse import unquote, urlsplit

from app.core.config import Settings, get_settings

CHUNK = 64 * 1024
# Two levels of fan-out keep folders small; the token is the unguessable part.
KEY_PATTERN = re.compile(r"^[0-9a-f]{2}/[0-9a-f]{2}/[A-Za-z0-9_-]{16,64}/[a-z0-9_.-]{1,40}$")


@dataclass(frozen=True)
class StoredObject:
    key: str
    size: int
    modified: datetime


class Storage(Protocol):
    def put(self, key: str, source: Path, content_type: str) -> None:
        """Store the file at `source` under `key` (overwriting)."""

    def read(self, key: str) -> Iterator[bytes]:
        """The stored bytes in chunks; FileNotFoundError when the key holds nothing."""

    def delete(self, key: str) -> None:
        """Remove the key; nothing happens when it holds nothing."""

    def exists(self, key: str) -> bool:
        """Whether the key holds something."""

    def objects(self) -> Iterator[StoredObject]:
        """Every stored key with its size and when it was written."""

    def local_path(self, key: str) -> Path | None:
        """The file on this host's disk, if the store keeps one (for X-Sendfile-style serving)."""


def new_token() -> str:
    return secrets.token_urlsafe(18)


def key_for(token: str, variant: str) -> str:
    """The storage key of one variant ("original", "thumb.webp") of the upload `token`."""
    digest = hashlib.sha256(token.encode()).hexdigest()
    key = f"{digest[:2]}/{digest[2:4]}/{token}/{variant}"
    check_key(key)
    return key


def check_key(key: str) -> str:
    if not KEY_PATTERN.match(key) or ".." in key:
        raise ValueError(f"not a storage key: {key!r}")
    return key


class LocalStorage:
    """A folder on this host; files are written to a temporary name and renamed into place."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def _path(self, key: str) -> Path:
        return self.root / check_key(key)

    def put(self, key: str, source: Path, content_type: str) -> None:
        target = self._path(key)
        target.parent.mkdir(parents=True, exist_ok=True)
        descriptor, partial = tempfile.mkstemp(dir=target.parent, prefix=".partial-")
        try:
            with os.fdopen(descriptor, "wb") as out, source.open("rb") as data:
                shutil.copyfileobj(data, out, CHUNK)
            os.replace(partial, target)
        except BaseException:
            Path(partial).unlink(missing_ok=True)
            raise

    def read(self, key: str) -> Iterator[bytes]:
        handle = self._path(key).open("rb")  # raises FileNotFoundError before the first chunk

        def chunks() -> Iterator[bytes]:
            with handle:
                while chunk := handle.read(CHUNK):
                    yield chunk

        return chunks()

    def delete(self, key: str) -> None:
        path = self._path(key)
        path.unlink(missing_ok=True)
        # Empty folders of the upload go too; the fan-out levels stay for the next ones.
        with_parents = [path.parent, path.parent.parent, path.parent.parent.parent]
        for folder in with_parents:
            try:
                folder.rmdir()
            except OSError:
                break

    def exists(self, key: str) -> bool:
        return self._path(key).is_file()

    def objects(self) -> Iterator[StoredObject]:
        if not self.root.is_dir():
            return
        for path in self.root.rglob("*"):
            if path.is_file() and not path.name.startswith(".partial-"):
                key = path.relative_to(self.root).as_posix()
                if KEY_PATTERN.match(key):
                    stat = path.stat()
                    modified = datetime.fromtimestamp(stat.st_mtime, UTC)
                    yield StoredObject(key, stat.st_size, modified)

    def local_path(self, key: str) -> Path | None:
        return self._path(key)


class S3Storage:
    """A bucket of an S3-compatible store (AWS S3, MinIO, Ceph, SeaweedFS), keys under a prefix."""

    def __init__(self, bucket: str, prefix: str, client: Any) -> None:
        self.bucket = bucket
        self.prefix = prefix.strip("/") + "/" if prefix.strip("/") else ""
        self.client = client

    def _name(self, key: str) -> str:
        return self.prefix + check_key(key)

    def put(self, key: str, source: Path, content_type: str) -> None:
        # upload_fileobj sends large files in parts: nothing is held whole in memory.
        with source.open("rb") as data:
            self.client.upload_fileobj(
                data, self.bucket, self._name(key), ExtraArgs={"ContentType": content_type}
            )

    def read(self, key: str) -> Iterator[bytes]:
        try:
            answer = self.client.get_object(Bucket=self.bucket, Key=self._name(key))
        except self.client.exceptions.NoSuchKey:
            raise FileNotFoundError(key) from None
        body: BinaryIO = answer["Body"]

        def chunks() -> Iterator[bytes]:
            try:
                while chunk := body.read(CHUNK):
                    yield chunk
            finally:
                body.close()

        return chunks()

    def delete(self, key: str) -> None:
        self.client.delete_object(Bucket=self.bucket, Key=self._name(key))

    def exists(self, key: str) -> bool:
        try:
            self.client.head_object(Bucket=self.bucket, Key=self._name(key))
        except self.client.exceptions.ClientError as error:
            if error.response.get("Error", {}).get("Code") in ("404", "NoSuchKey", "NotFound"):
                return False
            raise
        return True

    def objects(self) -> Iterator[StoredObject]:
        pages = self.client.get_paginator("list_objects_v2").paginate(
            Bucket=self.bucket, Prefix=self.prefix
        )
        for page in pages:
            for item in page.get("Contents", ()):
                key = item["Key"][len(self.prefix) :]
                if KEY_PATTERN.match(key):
                    yield StoredObject(key, int(item["Size"]), item["LastModified"])

    def local_path(self, key: str) -> Path | None:
        return None


def storage_from_settings(settings: Settings) -> Storage:
    url = urlsplit(settings.storage_url)
    if url.scheme == "file":
        return LocalStorage(Path(unquote(url.path)))
    import boto3  # noqa: PLC0415 -- only S3 sites pay for loading it (~0.3 s, 40 MB)
    from botocore.config import Config  # noqa: PLC0415

    client = boto3.client(
        "s3",
        endpoint_url=settings.s3_endpoint or None,
        aws_access_key_id=settings.s3_access_key or None,
        aws_secret_access_key=settings.s3_secret_key or None,
        region_name=settings.s3_region,
        config=Config(
            s3={"addressing_style": "path"},
            connect_timeout=10,
            read_timeout=60,
            retries={"max_attempts": 3},
        ),
    )
    return S3Storage(url.hostname or "", url.path, client)


@lru_cache
def get_storage() -> Storage:
    return storage_from_settings(get_settings())
