"""The cleanup job: removed, orphaned and long-deleted files leave the storage; others stay."""

import os
from datetime import timedelta
from typing import Any

from sqlmodel import Session, select

from app.core.db import utcnow
from app.posts.models import Post
from app.posts.service import delete_post
from app.uploads.cleanup import DELETED_CONTENT_GRACE, remove_expired_uploads
from app.uploads.models import Upload
from app.uploads.service import ORIGINAL, THUMBNAIL, remove_upload, upload_url
from app.uploads.storage import get_storage, key_for, new_token
from tests.factories import make_post, make_space, make_user
from tests.uploads.factories import make_upload


def _stored(upload: Upload) -> bool:
    keys = {item.key for item in get_storage().objects()}
    return key_for(upload.token, ORIGINAL) in keys


def _age(session: Session, upload: Upload, **delta: Any) -> None:
    upload.created_at = utcnow() - timedelta(**delta)
    session.add(upload)
    session.commit()


def test_what_goes_and_what_stays(session: Session) -> None:
    host = make_user(session)
    space = make_space(session, host=host)
    kept = make_upload(session, user=host)
    make_post(session, author=host, space=space, body=f"![k]({upload_url(kept)})")
    fresh_orphan = make_upload(session, user=host)
    old_orphan = make_upload(session, user=host)
    _age(session, old_orphan, days=2)
    removed = make_upload(session, user=host)
    make_post(session, author=host, space=space, body=f"![r]({upload_url(removed)})")
    remove_upload(session, user=host, token=removed.token)
    session.commit()

    assert remove_expired_uploads(session) == 2
    session.commit()

    tokens = set(session.exec(select(Upload.token)).all())
    assert tokens == {kept.token, fresh_orphan.token}
    assert _stored(kept) and _stored(fresh_orphan)
    assert not _stored(old_orphan) and not _stored(removed)
    keys = {item.key for item in get_storage().objects()}
    assert key_for(old_orphan.token, THUMBNAIL) not in keys
    assert remove_expired_uploads(session) == 0  # idempotent


def test_files_of_deleted_posts_go_after_the_grace_period(session: Session) -> None:
    host = make_user(session)
    space = make_space(session, host=host)
    upload = make_upload(session, user=host)
    post = make_post(session, author=host, space=space, body=f"![p]({upload_url(upload)})")
    delete_post(session, user=host, post_id=post.id)  # type: ignore[arg-type]
    session.commit()
    assert remove_expired_uploads(session) == 0
    assert _stored(upload)

    stored = session.get(Post, post.id)
    assert stored is not None
    stored.deleted_at = utcnow() - DELETED_CONTENT_GRACE - timedelta(hours=1)
    session.commit()
    assert remove_expired_uploads(session) == 1
    session.commit()
    assert not _stored(upload)
    assert session.get(Upload, upload.id) is None


def test_stray_objects_without_a_row_go_when_a_day_old(session: Session, tmp_path: Any) -> None:
    storage = get_storage()
    source = tmp_path / "stray"
    source.write_bytes(b"left behind by a failed request")
    old, young = key_for(new_token(), ORIGINAL), key_for(new_token(), ORIGINAL)
    storage.put(old, source, "text/plain")
    storage.put(young, source, "text/plain")
    path = storage.local_path(old)
    assert path is not None
    two_days_ago = (utcnow() - timedelta(days=2)).timestamp()
    os.utime(path, (two_days_ago, two_days_ago))

    assert remove_expired_uploads(session) == 1
    keys = {item.key for item in storage.objects()}
    assert old not in keys and young in keys
    storage.delete(young)
