"""Uploads: store a checked file, find one for a reader, attach, remove."""

import hashlib
import re
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import ColumnElement, update
from sqlmodel import Session, col, select

from app.access.spaces import active_members_of
from app.access.uploads import may_read_upload, may_remove_upload
from app.core.db import utcnow
from app.core.errors import Forbidden, NotFound
from app.images.processing import PictureError, decoded, save_at_width
from app.people.models import User
from app.uploads import limits
from app.uploads.media import (
    IMAGE_FORMATS,
    VARIANT_WIDTHS,
    CheckedFile,
    check_file,
    safe_name,
)
from app.uploads.models import AttachedTo, Upload
from app.uploads.storage import CHUNK, Storage, get_storage, key_for, new_token

ORIGINAL, THUMBNAIL, LARGE = "original", "thumb.webp", "large.webp"
# Every key an upload may have in the storage (its smaller sizes: app.uploads.media).
STORED_VARIANTS = (ORIGINAL, *VARIANT_WIDTHS)
# How Markdown bodies point at an upload: /uploads/<token>/<name>.
UPLOAD_URL = re.compile(r"/uploads/([A-Za-z0-9_-]{16,32})/")
# More references in one text are not attached (nobody pastes hundreds of files into a post).
MAX_REFERENCES = 100


def upload_url(upload: Upload) -> str:
    return f"/uploads/{upload.token}/{upload.name}"


def thumbnail_url(upload: Upload) -> str | None:
    return f"/uploads/{upload.token}/thumb" if upload.has_thumbnail else None


# What an attachment card says the file is (the rest: its extension).
TYPE_LABELS = {
    "application/pdf": "PDF",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "Word",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "Excel",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation": "PowerPoint",
    "text/plain": "Text",
}


def size_label(size: int) -> str:
    if size < 1024 * 1024:
        return f"{max(1, round(size / 1024))} KB"
    return f"{size / (1024 * 1024):.1f} MB"


def markdown_reference(upload: Upload) -> str:
    """What the composer puts into a text: a picture, or a link that renders as a card."""
    label = upload.name.replace("[", "(").replace("]", ")")
    if upload.content_type in IMAGE_FORMATS:
        return f"![{label}]({upload_url(upload)})"
    kind = TYPE_LABELS.get(upload.content_type, upload.name.rsplit(".", 1)[-1].upper())
    return f'[{label}]({upload_url(upload)} "{kind} · {size_label(upload.size)}")'


def store_upload(
    session: Session,
    *,
    user: User,
    source: Path,
    filename: str,
    storage: Storage | None = None,
) -> Upload:
    """Check, clean and store the file at `source`; the row is flushed, attached to nothing.

    The bytes go to the storage before the first statement, so no database lock is held while
    an image is re-encoded or sent to an object store."""
    storage = storage or get_storage()
    limits.check_size(source.stat().st_size)
    token = new_token()
    with tempfile.TemporaryDirectory(prefix="agora-upload-") as work:
        checked = check_file(source, Path(work))
        stored = _store(storage, token, checked)
    try:
        limits.check_allowed(session, checked.content_type, stored.size)
        limits.check_quota(session, user=user, adding=stored.size)
        upload = Upload(
            token=token,
            uploader_id=user.id,
            name=safe_name(filename, checked.extension),
            content_type=checked.content_type,
            size=stored.size,
            width=checked.width,
            height=checked.height,
            has_thumbnail=THUMBNAIL in checked.variants,
            digest=stored.digest,
        )
        session.add(upload)
        session.flush()
    except BaseException:
        _delete_files(storage, token)
        raise
    return upload


@dataclass(frozen=True)
class _Stored:
    size: int
    digest: str  # SHA-256 of the stored bytes (hex)


def _store(storage: Storage, token: str, checked: CheckedFile) -> _Stored:
    digest = hashlib.sha256()
    with checked.path.open("rb") as data:
        while chunk := data.read(CHUNK):
            digest.update(chunk)
    storage.put(key_for(token, ORIGINAL), checked.path, checked.content_type)
    for variant, path in checked.variants.items():
        storage.put(key_for(token, variant), path, "image/webp")
    return _Stored(checked.path.stat().st_size, digest.hexdigest())


def ensure_variant(upload: Upload, variant: str, storage: Storage | None = None) -> None:
    """Make a smaller size the upload lacks (stored before that size existed) from its stored
    original, once: later requests find it in the storage."""
    storage = storage or get_storage()
    key = key_for(upload.token, variant)
    if variant == ORIGINAL or storage.exists(key):
        return
    with tempfile.TemporaryDirectory(prefix="agora-variant-") as work:
        original, sized = Path(work) / "original", Path(work) / variant
        with original.open("wb") as out:
            for chunk in storage.read(key_for(upload.token, ORIGINAL)):
                out.write(chunk)
        try:
            with decoded(original) as image:
                save_at_width(image, VARIANT_WIDTHS[variant], sized)
        except PictureError:
            return  # served as missing (404), as before
        storage.put(key, sized, "image/webp")


def _delete_files(storage: Storage, token: str) -> None:
    for variant in STORED_VARIANTS:
        storage.delete(key_for(token, variant))


def readable_upload(session: Session, *, user: User, token: str) -> Upload:
    """The upload, if the person may read what it is attached to; 404 otherwise."""
    upload = session.exec(select(Upload).where(Upload.token == token)).first()
    if upload is None or not may_read_upload(session, upload, user):
        raise NotFound("File not found")
    return upload


def remove_upload(session: Session, *, user: User, token: str) -> Upload:
    """The uploader or a host of the space removes the file (its bytes go with the next
    cleanup pass; from now on nobody is served it)."""
    upload = readable_upload(session, user=user, token=token)
    if not may_remove_upload(session, upload, user):
        raise Forbidden("Only the person who uploaded a file and the hosts may remove it")
    upload.deleted_at = utcnow()
    session.add(upload)
    session.flush()
    return upload


def referenced_tokens(texts: Iterable[str]) -> list[str]:
    found: list[str] = []
    for text in texts:
        for token in UPLOAD_URL.findall(text or ""):
            if token not in found:
                found.append(token)
    return found[:MAX_REFERENCES]


def attach_referenced(
    session: Session,
    *,
    texts: Iterable[str],
    kind: AttachedTo,
    target_id: int,
    space_id: int,
    actor_id: int | None,
) -> int:
    """Attach the files a saved text references, still unattached, to that content.

    Only the uploader's own files are taken (`actor_id`, when one person saved it); after live
    co-editing, where nobody alone saved the text, files of the space's active members. A file
    already attached keeps its first home, so linking to it elsewhere grants nobody a look."""
    who = (
        col(Upload.uploader_id) == actor_id
        if actor_id is not None
        else col(Upload.uploader_id).in_(active_members_of(space_id))
    )
    return _update_referenced(
        session,
        texts,
        (col(Upload.attached_kind).is_(None), col(Upload.deleted_at).is_(None), who),
        {"attached_kind": kind, "attached_id": target_id, "space_id": space_id},
    )


def move_attached(
    session: Session,
    *,
    texts: Iterable[str],
    source: tuple[AttachedTo, int],
    target: tuple[AttachedTo, int],
) -> int:
    """Files the texts reference that belong to `source` now belong to `target` (in the same
    space: an event and its own discussion post)."""
    return _update_referenced(
        session,
        texts,
        (col(Upload.attached_kind) == source[0], col(Upload.attached_id) == source[1]),
        {"attached_kind": target[0], "attached_id": target[1]},
    )


def _update_referenced(
    session: Session,
    texts: Iterable[str],
    conditions: tuple[ColumnElement[bool], ...],
    values: dict[str, object],
) -> int:
    tokens = referenced_tokens(texts)
    if not tokens:
        return 0
    statement = update(Upload).where(col(Upload.token).in_(tokens), *conditions).values(values)
    return session.execute(statement).rowcount or 0  # type: ignore[attr-defined]
