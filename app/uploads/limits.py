"""The limits on uploads: AGORA_UPLOAD_MAX_MB for every request, and what an admin sets."""

from sqlalchemy import func
from sqlmodel import Session, col, select

from app.core.config import get_settings
from app.core.i18n import N_
from app.images.processing import MB
from app.people.models import User
from app.uploads.media import TYPE_GROUPS, FileTooLarge, RefusedFile
from app.uploads.models import Upload, UploadSettings


def site_max_bytes() -> int:
    """The most any request may carry (AGORA_UPLOAD_MAX_MB)."""
    return get_settings().upload_max_mb * MB


def current_settings(session: Session) -> UploadSettings:
    return session.get(UploadSettings, 1) or UploadSettings(id=1)


def check_size(size: int, settings: UploadSettings | None = None) -> None:
    limit_mb = get_settings().upload_max_mb
    if settings is not None and settings.max_file_mb is not None:
        limit_mb = min(limit_mb, settings.max_file_mb)
    if size > limit_mb * MB:
        raise FileTooLarge(N_("The file is larger than %(limit)s MB."), limit=limit_mb)


def allowed_types(settings: UploadSettings) -> frozenset[str]:
    groups = [group.strip() for group in settings.allowed_groups.split(",")]
    return frozenset().union(*(TYPE_GROUPS.get(group, frozenset()) for group in groups))


def check_allowed(session: Session, content_type: str, size: int) -> None:
    settings = current_settings(session)
    check_size(size, settings)
    if content_type not in allowed_types(settings):
        raise RefusedFile(N_("Files of this type are not allowed here."))


def used_bytes(session: Session, user_id: int | None = None) -> int:
    """Bytes of the files not removed, one person's or everybody's."""
    query = select(func.coalesce(func.sum(Upload.size), 0)).where(col(Upload.deleted_at).is_(None))
    if user_id is not None:
        query = query.where(Upload.uploader_id == user_id)
    return int(session.exec(query).one())


def check_quota(session: Session, *, user: User, adding: int) -> None:
    quota = current_settings(session).quota_mb_per_person
    if quota is None:
        return
    if used_bytes(session, user.id) + adding > quota * MB:
        raise FileTooLarge(
            N_("Your files would take more than the %(limit)s MB you may store."), limit=quota
        )
