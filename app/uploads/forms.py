"""Files sent with a plain form (no JavaScript): stored, and referenced at the end of the text.

Web layer only: the page routes of posts, comments, events and protocols call it with the
form's file fields (`attachment`)."""

import shutil
import tempfile
from pathlib import Path
from typing import Annotated

import fastapi
from sqlmodel import Session

from app.core.db import get_engine
from app.core.errors import DomainError, Invalid
from app.core.transactions import writing
from app.people.models import User
from app.uploads.models import Upload
from app.uploads.service import markdown_reference, store_upload

# A form carries a handful of files; more are ignored rather than stored half.
MAX_FILES = 10
# The `attachment` parameter of a page route. A browser sends an empty file field as an empty
# text part.
FormFiles = Annotated[list[fastapi.UploadFile | str] | None, fastapi.File()]


def attach_form_files(session: Session, *, user: User, body: str, files: FormFiles) -> str:
    """`body` with a reference to each file appended (an empty file field adds nothing); the
    files are stored in the request's transaction, so a refused form keeps none of them."""
    references = [markdown_reference(upload) for upload in _store(session, user, files)]
    return _with_references(body, references)


def attach_form_files_apart(*, user: User, body: str, files: FormFiles) -> str:
    """As attach_form_files, the files committed at once in their own transaction: for saves
    whose service commits steps on other connections first (a protocol's form save), which
    would wait for the request's write lock. Until the text is saved they are the uploader's
    alone, and the cleanup job removes them if it never is."""
    if not any(not isinstance(upload, str) and upload.filename for upload in files or ()):
        return body
    with writing(), Session(get_engine()) as own:
        uploads = _store(own, user, files)
        references = [markdown_reference(upload) for upload in uploads]
        own.commit()
    return _with_references(body, references)


def _with_references(body: str, references: list[str]) -> str:
    if not references:
        return body
    return "\n\n".join([body.rstrip(), *references]) if body.strip() else "\n\n".join(references)


def _store(session: Session, user: User, files: FormFiles) -> list[Upload]:
    stored: list[Upload] = []
    for upload_file in (files or [])[:MAX_FILES]:
        if isinstance(upload_file, str) or not upload_file.filename:
            continue
        with tempfile.TemporaryDirectory(prefix="agora-form-file-") as folder:
            source = Path(folder) / "received"
            with source.open("wb") as out:
                shutil.copyfileobj(upload_file.file, out, 1024 * 1024)
            if source.stat().st_size == 0:
                continue
            try:
                upload = store_upload(
                    session, user=user, source=source, filename=upload_file.filename
                )
            except DomainError as error:
                # Shown beside the file field, with what was typed still in the form.
                raise Invalid(error.message, field="attachment", **error.params) from None
        stored.append(upload)
    return stored
