"""What an upload answers: the contract of POST /api/v1/uploads (issue 20); and the pages'
forms about files (app.core.forms)."""

from typing import Annotated

from pydantic import BaseModel, Field

from app.core.forms import FormInput
from app.uploads.models import Upload
from app.uploads.service import markdown_reference, thumbnail_url, upload_url


class UploadOut(BaseModel):
    id: str
    url: str
    name: str
    content_type: str
    size: int
    width: int | None
    height: int | None
    thumbnail_url: str | None = None
    # The Markdown that shows it: a picture, or a link rendered as an attachment card.
    markdown: str = ""


def upload_out(upload: Upload) -> UploadOut:
    return UploadOut(
        id=upload.token,
        url=upload_url(upload),
        name=upload.name,
        content_type=upload.content_type,
        size=upload.size,
        width=upload.width,
        height=upload.height,
        thumbnail_url=thumbnail_url(upload),
        markdown=markdown_reference(upload),
    )


class RemoveFileForm(FormInput):
    """Remove a file, then go back to the page the button was on (a path on this site)."""

    back: Annotated[str, Field(max_length=200)] = ""


class UploadLimitsForm(FormInput):
    """The admin's limits: numbers as typed (empty: the site's default), checked by the route
    and the service, and the kinds of file allowed."""

    max_file_mb: Annotated[str, Field(max_length=10)] = ""
    allowed_groups: list[str] = []
    quota_mb_per_person: Annotated[str, Field(max_length=10)] = ""
