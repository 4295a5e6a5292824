"""The upload cleanup job: files nobody may open any more leave the storage.

- removed uploads (by the uploader or a host): at the next pass;
- orphans, uploaded and never posted: a day after the upload;
- files of deleted posts and comments: after the grace period in which the content could still
  be restored by hand (the database keeps deleted content; its files stay as long);
- stray objects in the storage without a row (a request that failed after storing): a day old.

Idempotent and safe in several processes at once: deleting what is already gone changes nothing.
"""

from datetime import timedelta

from sqlalchemy import and_, delete, or_
from sqlmodel import Session, col, select

from app.core.db import utcnow
from app.posts.models import Comment, Post
from app.uploads.models import AttachedTo, Upload
from app.uploads.service import STORED_VARIANTS
from app.uploads.storage import Storage, get_storage, key_for

ORPHAN_AGE = timedelta(days=1)
DELETED_CONTENT_GRACE = timedelta(days=30)
# A pass removes at most this many rows, so one transaction stays short.
BATCH = 200


def expired_upload_ids(session: Session) -> list[int]:
    """Uploads whose files should go now (see the module's list)."""
    now = utcnow()
    grace_ended = now - DELETED_CONTENT_GRACE
    deleted_posts = select(Post.id).where(col(Post.deleted_at) < grace_ended)
    deleted_comments = select(Comment.id).where(
        or_(col(Comment.deleted_at) < grace_ended, col(Comment.post_id).in_(deleted_posts))
    )
    query = (
        select(Upload.id)
        .where(
            or_(
                col(Upload.deleted_at).is_not(None),
                and_(
                    col(Upload.attached_kind).is_(None), col(Upload.created_at) < now - ORPHAN_AGE
                ),
                and_(
                    col(Upload.attached_kind) == AttachedTo.post,
                    col(Upload.attached_id).in_(deleted_posts),
                ),
                and_(
                    col(Upload.attached_kind) == AttachedTo.comment,
                    col(Upload.attached_id).in_(deleted_comments),
                ),
            )
        )
        .limit(BATCH)
    )
    return [upload_id for upload_id in session.exec(query).all() if upload_id is not None]


def remove_expired_uploads(session: Session, storage: Storage | None = None) -> int:
    """One pass of the cleanup job; answers how many uploads and stray objects went."""
    storage = storage or get_storage()
    ids = expired_upload_ids(session)
    tokens = session.exec(select(Upload.token).where(col(Upload.id).in_(ids))).all() if ids else []
    for token in tokens:
        for variant in STORED_VARIANTS:
            storage.delete(key_for(token, variant))
    if ids:
        session.execute(delete(Upload).where(col(Upload.id).in_(ids)))
        session.flush()
    return len(tokens) + remove_stray_objects(session, storage)


def remove_stray_objects(session: Session, storage: Storage) -> int:
    """Objects older than a day whose upload has no row (its request failed after storing)."""
    cutoff = utcnow() - ORPHAN_AGE
    old = [item for item in storage.objects() if item.modified < cutoff]
    if not old:
        return 0
    removed = 0
    for start in range(0, len(old), BATCH):
        chunk = old[start : start + BATCH]
        tokens = {item.key.split("/")[2] for item in chunk}
        known = set(session.exec(select(Upload.token).where(col(Upload.token).in_(tokens))).all())
        for item in chunk:
            if item.key.split("/")[2] not in known:
                storage.delete(item.key)
                removed += 1
    return removed
