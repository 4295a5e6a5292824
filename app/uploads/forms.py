"""Files sent with a plain form (no JavaScript): stored, and referenced at the end of the text.

Web layer only: the page routes of posts call it with the form's file fields."""

import shutil
import tempfile
from collections.abc import Sequence
from pathlib import Path

from sqlmodel import Session
from starlette.datastructures import UploadFile

from app.errors import DomainError, Invalid
from app.people.models import User
from app.uploads.service import markdown_reference, store_upload

# A form carries a handful of files; more are ignored rather than stored half.
MAX_FILES = 10


def attach_form_files(
    session: Session, *, user: User, body: str, files: Sequence[UploadFile | str] | None
) -> str:
    """`body` with a reference to each file appended (an empty file field adds nothing)."""
    references = []
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
        references.append(markdown_reference(upload))
    if not references:
        return body
    return "\n\n".join([body.rstrip(), *references]) if body.strip() else "\n\n".join(references)
