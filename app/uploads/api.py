"""Uploads: a file for a post, comment, protocol or event (referenced by its `url`)."""

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Response

from app.api.deps import ApiUser
from app.core.security import SessionDep
from app.core.transactions import TransactionalRoute
from app.uploads import service
from app.uploads.receiving import ReceivedFile, uploaded_file
from app.uploads.schemas import UploadOut, upload_out

router = APIRouter(route_class=TransactionalRoute, tags=["uploads"])

# Anything unknown answers 404 (as for every other id), so only the length is bounded here.
UploadId = Annotated[str, Path(alias="id", max_length=64, description="The upload's id")]
MULTIPART = {
    "requestBody": {
        "required": True,
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "required": ["file"],
                    "properties": {"file": {"type": "string", "format": "binary"}},
                }
            }
        },
    }
}


@router.post(
    "/uploads",
    response_model=UploadOut,
    status_code=201,
    openapi_extra=MULTIPART,
    responses={
        400: {"description": "No readable multipart form"},
        413: {"description": "Larger than allowed"},
        415: {"description": "A type Agora does not keep"},
    },
)
def create_upload(
    session: SessionDep,
    user: ApiUser,
    received: Annotated[ReceivedFile, Depends(uploaded_file)],
) -> UploadOut:
    """Upload a file (multipart, field `file`); put its `url` into a Markdown text to attach
    it. Images are re-encoded (metadata removed); the type is decided from the bytes."""
    upload = service.store_upload(
        session, user=user, source=received.path, filename=received.filename
    )
    return upload_out(upload)


@router.delete("/uploads/{id}", status_code=204)
def delete_upload(session: SessionDep, user: ApiUser, upload_id: UploadId) -> Response:
    """The uploader, or a host of the space the file's content is in, removes it."""
    service.remove_upload(session, user=user, token=upload_id)
    return Response(status_code=204)
