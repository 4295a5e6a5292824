"""What an upload answers: the contract of POST /api/v1/uploads (issue 20)."""

from pydantic import BaseModel

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
