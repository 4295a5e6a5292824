"""Reading an upload out of a multipart request without holding it in memory, and without
reading past the limit: Starlette's parser spools the file to disk (above 1 MB), and the
request's byte stream is cut off as soon as it passes AGORA_UPLOAD_MAX_MB.

Web layer only: the API and the page routes call it, services never do."""

import shutil
import tempfile
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.types import Message

from app.core.errors import DomainError
from app.core.i18n import N_
from app.uploads.limits import MB, site_max_bytes
from app.uploads.media import FileTooLarge, RefusedFile

# Room for the multipart boundaries, headers and the CSRF field around the file itself.
ENVELOPE = 64 * 1024


class UnreadableUpload(DomainError):
    status_code = 400


@dataclass(frozen=True)
class ReceivedFile:
    path: Path
    filename: str


def _too_large() -> FileTooLarge:
    limit = site_max_bytes() // MB
    return FileTooLarge(N_("The file is larger than %(limit)s MB."), limit=limit)


@asynccontextmanager
async def received_file(request: Request, field: str = "file") -> AsyncIterator[ReceivedFile]:
    """The request's file field in a temporary file, removed when the block ends."""
    cap = site_max_bytes() + ENVELOPE
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > cap:
        raise _too_large()
    seen = 0
    receive = request.receive

    async def counted() -> Message:
        nonlocal seen
        message = await receive()
        if message["type"] == "http.request":
            seen += len(message.get("body", b""))
            if seen > cap:
                raise _too_large()
        return message

    limited = Request(request.scope, counted)
    try:
        form = await limited.form(max_files=1, max_fields=4)
    except HTTPException:
        # Starlette's answer to a body that is no multipart form (or has too many parts).
        raise UnreadableUpload(N_("The upload could not be read. Please try again.")) from None
    try:
        upload = form.get(field)
        if not isinstance(upload, UploadFile):
            raise RefusedFile(N_("Choose a file to upload."))
        with tempfile.TemporaryDirectory(prefix="agora-received-") as folder:
            path = Path(folder) / "received"
            await run_in_threadpool(_copy, upload, path)
            yield ReceivedFile(path=path, filename=upload.filename or "file")
    finally:
        await form.close()


def _copy(upload: UploadFile, path: Path) -> None:
    with path.open("wb") as out:
        shutil.copyfileobj(upload.file, out, 1024 * 1024)


async def uploaded_file(request: Request) -> AsyncIterator[ReceivedFile]:
    """The dependency form of received_file (field `file`)."""
    async with received_file(request) as received:
        yield received
