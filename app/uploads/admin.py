"""What hosts and admins see of the files: a space's attachments, storage used, the limits."""

from dataclasses import dataclass

from sqlalchemy import func
from sqlmodel import Session, col, select

from app.access.spaces import SpaceAccess, require_moderate
from app.access.uploads import files_of_space
from app.core.errors import Invalid
from app.core.i18n import N_
from app.core.pagination import Cursor, Page, older_than
from app.people.models import User
from app.people.service import record_audit
from app.uploads.limits import current_settings
from app.uploads.media import TYPE_GROUPS
from app.uploads.models import Upload, UploadSettings

PAGE_SIZE = 30


@dataclass(frozen=True)
class SpaceFile:
    upload: Upload
    uploader: User | None


def space_files(
    session: Session, *, access: SpaceAccess, cursor: str | None = None, limit: int | None = None
) -> Page[SpaceFile]:
    """The space's attachments, newest first, for its hosts and the admins who may read it."""
    require_moderate(access)
    limit = limit or PAGE_SIZE
    query = (
        select(Upload, User)
        .outerjoin(User, col(User.id) == Upload.uploader_id)
        .where(*files_of_space(access.space.id or 0))
        .order_by(col(Upload.created_at).desc(), col(Upload.id).desc())
    )
    query = older_than(query, cursor, at=col(Upload.created_at), row_id=col(Upload.id))
    rows = session.exec(query.limit(limit + 1)).all()
    items = [SpaceFile(upload, uploader) for upload, uploader in rows[:limit]]
    next_cursor = None
    if len(rows) > limit:
        last = items[-1].upload
        next_cursor = Cursor(last.created_at, last.id or 0).encode()
    return Page(items=items, next_cursor=next_cursor)


@dataclass(frozen=True)
class StorageUse:
    files: int
    bytes: int
    by_person: list[tuple[str, int, int]]  # name, files, bytes


def storage_use(session: Session, *, top: int = 10) -> StorageUse:
    """Storage taken by files not removed: in all, and by the people who take most."""
    totals = session.exec(
        select(func.count(), func.coalesce(func.sum(Upload.size), 0)).where(
            col(Upload.deleted_at).is_(None)
        )
    ).one()
    per_person = session.exec(
        select(User.display_name, func.count(), func.sum(Upload.size))
        .join(User, col(User.id) == Upload.uploader_id)
        .where(col(Upload.deleted_at).is_(None))
        .group_by(col(User.id), col(User.display_name))
        .order_by(func.sum(Upload.size).desc())
        .limit(top)
    ).all()
    return StorageUse(
        files=int(totals[0]),
        bytes=int(totals[1]),
        by_person=[(name, int(count), int(size or 0)) for name, count, size in per_person],
    )


def save_limits(
    session: Session,
    *,
    actor: User,
    max_file_mb: int | None,
    allowed_groups: list[str],
    quota_mb_per_person: int | None,
) -> UploadSettings:
    """The admin's limits; every request stays bounded by AGORA_UPLOAD_MAX_MB as well."""
    unknown = [group for group in allowed_groups if group not in TYPE_GROUPS]
    if unknown:
        raise Invalid(N_("Unknown kind of file"), field="allowed_groups")
    for value, field in ((max_file_mb, "max_file_mb"), (quota_mb_per_person, "quota")):
        if value is not None and not 1 <= value <= 100_000:
            raise Invalid(N_("Enter a number from 1 to 100000, or leave it empty"), field=field)
    settings = current_settings(session)
    settings.max_file_mb = max_file_mb
    settings.allowed_groups = ",".join(group for group in TYPE_GROUPS if group in allowed_groups)
    settings.quota_mb_per_person = quota_mb_per_person
    session.add(settings)
    record_audit(
        session,
        actor=actor,
        action="upload_limits",
        target_type="site",
        target_id=None,
        detail=f"max {max_file_mb} MB, {settings.allowed_groups}, quota {quota_mb_per_person} MB",
    )
    session.flush()
    return settings
