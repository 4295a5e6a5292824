"""Uploaded files in `agora backup` and `agora restore`.

On local disk the files go into `<backup file>.uploads.tar` beside the database backup, taken
right after it: a file uploaded in between is an extra the cleanup job removes later (no row
names it), so a restore never lacks a file its database refers to, short of one removed in
those seconds. With S3-compatible storage the files stay in the bucket, which is backed up the
object store's way (versioning, replication or its own snapshot tool): nothing is copied here.
"""

import os
import tarfile
from dataclasses import dataclass
from pathlib import Path

from app.core.config import Settings
from app.uploads.storage import KEY_PATTERN, LocalStorage, storage_from_settings


@dataclass(frozen=True)
class FilesBackup:
    path: Path | None  # None: the files live in an object store
    files: int
    bytes: int


def files_archive(backup_file: Path) -> Path:
    return backup_file.with_name(backup_file.name + ".uploads.tar")


def backup_files(settings: Settings, backup_file: Path) -> FilesBackup:
    """Archive the uploaded files beside `backup_file` (local disk only; replaced atomically)."""
    storage = storage_from_settings(settings)
    if not isinstance(storage, LocalStorage):
        return FilesBackup(path=None, files=0, bytes=0)
    target = files_archive(backup_file)
    partial = target.with_name(target.name + ".partial")
    count = size = 0
    # Private files inside: readable by the owner only, as the database backup is.
    descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "wb") as out, tarfile.open(fileobj=out, mode="w") as archive:
        for item in storage.objects():
            archive.add(storage.root / item.key, arcname=item.key, recursive=False)
            count += 1
            size += item.size
    os.replace(partial, target)
    return FilesBackup(path=target, files=count, bytes=size)


def restore_files(settings: Settings, backup_file: Path) -> int | None:
    """Put the archived files back into the storage folder; None when there is no archive."""
    archive_path = files_archive(backup_file)
    storage = storage_from_settings(settings)
    if not archive_path.exists() or not isinstance(storage, LocalStorage):
        return None
    storage.root.mkdir(parents=True, exist_ok=True)
    restored = 0
    with tarfile.open(archive_path) as archive:
        # Only keys the app could have written, as plain files: nothing else is unpacked.
        members = [
            member
            for member in archive.getmembers()
            if member.isfile() and KEY_PATTERN.match(member.name) and ".." not in member.name
        ]
        archive.extractall(storage.root, members=members, filter="data")
        restored = len(members)
    return restored
