"""Files over the web: the composer's upload (cookie and CSRF header), and every file URL,
served only through the access policy, with headers that keep a file from acting as a page."""

from collections.abc import Iterator
from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Depends, Path, Request
from fastapi.responses import JSONResponse, Response, StreamingResponse

from app.errors import DomainError, Forbidden
from app.security import CSRF_HEADER, CurrentUser, SessionDep, csrf_matches
from app.transactions import TransactionalRoute
from app.uploads import service
from app.uploads.media import IMAGE_FORMATS
from app.uploads.models import Upload
from app.uploads.receiving import ReceivedFile, uploaded_file
from app.uploads.schemas import upload_out
from app.uploads.storage import get_storage, key_for

# No router-wide csrf_protect: it would read the whole form before the size limit could cut
# it off. The composer sends the token as a header, checked below.
router = APIRouter(route_class=TransactionalRoute)

Token = Annotated[str, Path(min_length=16, max_length=32, pattern=r"^[A-Za-z0-9_-]+$")]
# Nothing in a file runs: no script, no plugin, no form, not even in its own tab.
FILE_SECURITY_POLICY = "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; sandbox"


def csrf_header(request: Request) -> None:
    if not csrf_matches(request, request.headers.get(CSRF_HEADER)):
        raise Forbidden("The form has expired. Please reload the page and try again.")


@router.post("/uploads", dependencies=[Depends(csrf_header)])
def upload_from_composer(
    session: SessionDep,
    user: CurrentUser,
    received: Annotated[ReceivedFile, Depends(uploaded_file)],
) -> Response:
    """The composer's upload; errors answer JSON the composer shows beside the field."""
    try:
        upload = service.store_upload(
            session, user=user, source=received.path, filename=received.filename
        )
    except DomainError as error:
        return JSONResponse({"detail": error.text()}, status_code=error.status_code)
    return JSONResponse(upload_out(upload).model_dump(), status_code=201)


@router.get("/uploads/{token}/thumb")
def thumbnail(session: SessionDep, user: CurrentUser, token: Token, request: Request) -> Response:
    """The small picture made once at upload (images only)."""
    upload = service.readable_upload(session, user=user, token=token)
    if not upload.has_thumbnail:
        return Response(status_code=404)
    return _file_response(request, upload, service.THUMBNAIL, "image/webp", inline=True)


@router.get("/uploads/{token}/{name}")
def download(
    session: SessionDep, user: CurrentUser, token: Token, name: str, request: Request
) -> Response:
    """The file, to those who may read what it is attached to (404 for everyone else)."""
    upload = service.readable_upload(session, user=user, token=token)
    inline = upload.content_type in IMAGE_FORMATS
    return _file_response(request, upload, service.ORIGINAL, upload.content_type, inline=inline)


def _file_response(
    request: Request, upload: Upload, variant: str, content_type: str, *, inline: bool
) -> Response:
    etag = f'"{upload.digest[:32]}-{variant[:5]}"'
    disposition = "inline" if inline else "attachment"
    headers = {
        "ETag": etag,
        # Every request asks again (a removed member loses access at once); unchanged files
        # answer 304 without a byte of the file.
        "Cache-Control": "private, no-cache",
        "Content-Disposition": f"{disposition}; filename*=UTF-8''{quote(upload.name)}",
        "Content-Security-Policy": FILE_SECURITY_POLICY,
        "X-Content-Type-Options": "nosniff",
        "Cross-Origin-Resource-Policy": "same-origin",
    }
    if etag in request.headers.get("if-none-match", ""):
        return Response(status_code=304, headers=headers)
    try:
        chunks = get_storage().read(key_for(upload.token, variant))
    except FileNotFoundError:
        return Response(status_code=404)
    if variant == service.ORIGINAL:
        headers["Content-Length"] = str(upload.size)
    return StreamingResponse(_guarded(chunks), media_type=content_type, headers=headers)


def _guarded(chunks: Iterator[bytes]) -> Iterator[bytes]:
    yield from chunks
