"""Uploads: a file is readable exactly by those who may read what it is attached to.

Until content that references it is saved, only its uploader may open it. After that the
rule of the post, comment, protocol or event decides, at every request: a removed member, a
deactivated person (whose sign-in no longer holds), a deleted or hidden post close the file
at once, as they close the content.
"""

from sqlalchemy import ColumnElement
from sqlmodel import Session, col

from app.access.events import load_event
from app.access.posts import may_read_comment, may_read_post
from app.access.protocols import protocol_access
from app.access.spaces import SpaceAccess, load_with_space_access, space_access_by_id
from app.core.errors import NotFound
from app.people.models import User
from app.posts.models import Comment, Post
from app.uploads.models import AttachedTo, Upload


def may_read_upload(session: Session, upload: Upload, user: User) -> bool:
    """Whether the person may open the file (the answer for anything else is 404)."""
    if upload.deleted_at is not None or not user.is_active:
        return False
    if upload.attached_kind is None or upload.attached_id is None:
        return upload.uploader_id == user.id
    target = upload.attached_id
    try:
        match upload.attached_kind:
            case AttachedTo.post:
                return _readable_post_access(session, user, target) is not None
            case AttachedTo.comment:
                comment = session.get(Comment, target)
                if comment is None:
                    return False
                access = _readable_post_access(session, user, comment.post_id)
                return access is not None and may_read_comment(comment, access)
            case AttachedTo.protocol:
                protocol_access(session, user, target)
                return True
            case AttachedTo.event:
                load_event(session, user=user, event_id=target)
                return True
    except NotFound:
        return False
    return False


def may_remove_upload(session: Session, upload: Upload, user: User) -> bool:
    """The uploader, or whoever moderates the space the file's content is in."""
    if upload.uploader_id == user.id:
        return True
    if upload.space_id is None:
        return False
    try:
        access = space_access_by_id(session, user, upload.space_id)
    except NotFound:
        return False
    return access.can_moderate


def _readable_post_access(session: Session, user: User, post_id: int) -> SpaceAccess | None:
    """The person's access to the post's space, if they may read the post; else None."""
    loaded = load_with_space_access(session, user=user, model=Post, row_id=post_id)
    if loaded is None or not may_read_post(*loaded):
        return None
    return loaded[1]


def files_of_space(space_id: int) -> tuple[ColumnElement[bool], ...]:
    """A space's attachments not removed: listed only to those who moderate it (the caller
    checks that first, with require_moderate)."""
    return (col(Upload.space_id) == space_id, col(Upload.deleted_at).is_(None))
