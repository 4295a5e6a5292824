"""Files over the web: the composer's upload (cookie and CSRF header), and every file URL,
served only through the access policy, with headers that keep a file from acting as a page."""

from functools import partial
from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Depends, Form, Path, Query, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response, StreamingResponse

from app.core.config import get_settings
from app.core.errors import DomainError, Forbidden, Invalid
from app.core.i18n import N_
from app.core.security import (
    CSRF_HEADER,
    AdminUser,
    CurrentUser,
    SessionDep,
    csrf_matches,
    csrf_protect,
)
from app.core.transactions import TransactionalRoute
from app.people.models import User
from app.spaces.access import space_access_by_slug
from app.uploads import admin, service
from app.uploads.limits import MB, current_settings, site_max_bytes
from app.uploads.media import IMAGE_FORMATS, TYPE_GROUPS
from app.uploads.models import Upload
from app.uploads.receiving import ReceivedFile, uploaded_file
from app.uploads.schemas import RemoveFileForm, UploadLimitsForm, upload_out
from app.uploads.storage import Storage, get_storage, key_for
from app.web.templates import form_error, render

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
    """The picture at most 480 px wide, made once at upload (images only)."""
    return _sized(session, user, token, request, service.THUMBNAIL)


@router.get("/uploads/{token}/large")
def large(session: SessionDep, user: CurrentUser, token: Token, request: Request) -> Response:
    """The picture at most 1280 px wide: what a text shows (images only)."""
    return _sized(session, user, token, request, service.LARGE)


def _sized(
    session: SessionDep, user: CurrentUser, token: Token, request: Request, variant: str
) -> Response:
    upload = service.readable_upload(session, user=user, token=token)
    if not upload.has_thumbnail:
        return Response(status_code=404)
    service.ensure_variant(upload, variant)
    return _file_response(request, upload, variant, "image/webp", inline=True)


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
    storage = get_storage()
    key = key_for(upload.token, variant)
    handed_over = _hand_to_web_server(storage, key, content_type, headers)
    if handed_over is not None:
        return handed_over
    try:
        chunks = storage.read(key)
    except FileNotFoundError:
        return Response(status_code=404)
    if variant == service.ORIGINAL:
        headers["Content-Length"] = str(upload.size)
    return StreamingResponse(chunks, media_type=content_type, headers=headers)


def _hand_to_web_server(
    storage: Storage, key: str, content_type: str, headers: dict[str, str]
) -> Response | None:
    """With AGORA_UPLOAD_ACCEL, the web server in front sends the bytes of a file on local disk
    (the access check above has run): an empty answer naming the file, or None to stream it."""
    settings = get_settings()
    if settings.upload_accel == "off":
        return None
    path = storage.local_path(key)
    if path is None or not path.is_file():
        return None
    if settings.upload_accel == "nginx":
        # The key is made by the app (storage.check_key), never by the request.
        accel = {"X-Accel-Redirect": settings.upload_accel_prefix + key}
    else:
        accel = {"X-Sendfile": str(path)}
    return Response(status_code=200, media_type=content_type, headers={**headers, **accel})


# --- hosts and admins: a space's files, the limits, storage used ------------------------------

pages = APIRouter(route_class=TransactionalRoute, dependencies=[Depends(csrf_protect)])


@pages.get("/spaces/{slug}/files")
def space_files_page(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    slug: Annotated[str, Path(max_length=60)],
    cursor: Annotated[str | None, Query(max_length=200)] = None,
) -> Response:
    """The space's attachments, for its hosts (and admins who can read it), to remove any."""
    access = space_access_by_slug(session, user, slug)
    files = admin.space_files(session, access=access, cursor=cursor)
    context = {"space": access.space, "files": files, "size_label": service.size_label}
    return render(request, "uploads/space_files.html", context)


@pages.post("/uploads/{token}/delete")
def delete_file(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    token: Token,
    form: Annotated[RemoveFileForm, Form()],
) -> Response:
    """Remove a file (the uploader or a host); back to the page the button was on."""
    service.remove_upload(session, user=user, token=token)
    back = form.back
    target = back if back.startswith("/") and not back.startswith("//") else "/"
    return RedirectResponse(target, status_code=303)


@pages.get("/admin/uploads")
def admin_uploads_page(request: Request, session: SessionDep, admin_user: AdminUser) -> Response:
    return render(request, "uploads/admin.html", _admin_context(session))


@pages.post("/admin/uploads")
def save_upload_limits(
    request: Request,
    session: SessionDep,
    admin_user: AdminUser,
    form: Annotated[UploadLimitsForm, Form()],
) -> Response:
    try:
        _save_limits(session, admin_user, form)
    except Invalid as exc:
        typed = {"max_file_mb": form.max_file_mb, "quota_mb_per_person": form.quota_mb_per_person}
        context = partial(_admin_context, session, form=typed)
        return form_error(request, session, "uploads/admin.html", exc, context)
    return RedirectResponse("/admin/uploads?saved=1", status_code=303)


def _save_limits(session: SessionDep, admin_user: User, form: UploadLimitsForm) -> None:
    admin.save_limits(
        session,
        actor=admin_user,
        max_file_mb=_optional_number(form.max_file_mb, "max_file_mb"),
        allowed_groups=form.allowed_groups,
        quota_mb_per_person=_optional_number(form.quota_mb_per_person, "quota"),
    )


def _optional_number(text: str, field: str) -> int | None:
    if not text.strip():
        return None
    if not text.strip().isdigit():
        raise Invalid(N_("Enter a number from 1 to 100000, or leave it empty"), field=field)
    return int(text)


def _admin_context(session: SessionDep, **extra: object) -> dict[str, object]:
    return {
        "limits": current_settings(session),
        "groups": list(TYPE_GROUPS),
        "use": admin.storage_use(session),
        "site_max_mb": site_max_bytes() // MB,
        "size_label": service.size_label,
        **extra,
    }
