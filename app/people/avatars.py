"""Profile pictures: set, removed (by the person or an admin) and found for serving.

The processed images live in the database (app.images); the person's row carries the picture's
version, so every list that shows a name can show the face from the same row.
"""

from typing import Literal

from sqlmodel import Session

from app.core.domain_events import PersonSaved, publish
from app.images.models import StoredImage
from app.images.processing import Shape
from app.images.store import find_image, remove_images, store_picture
from app.people.models import PersonRow, User
from app.people.service import record_audit

OWNER_KIND = "avatar"
# Lists show faces at 24-40 CSS pixels (64 covers a 2x screen), the profile page at up to 128.
AVATAR_SHAPE = Shape(aspect=1.0, widths=(64, 256))
# The widths URLs may ask for: only those made (a word, not a number: no id to look up).
AvatarWidth = Literal["64", "256"]


def avatar_url(person: User | PersonRow, width: int = 256) -> str:
    """Where the person's face is: their picture (its version in the URL), else the
    generated one."""
    if person.avatar_version and person.is_active:
        return f"/people/{person.id}/avatar/{width}?v={person.avatar_version}"
    return f"/people/{person.id}/avatar/{width}"


def set_avatar(session: Session, *, user: User, raw: bytes) -> str:
    """Make `raw` the person's picture (sniffed, cropped square, re-encoded); its version."""
    user.avatar_version = store_picture(
        session, owner_kind=OWNER_KIND, owner_id=user.id, raw=raw, shape=AVATAR_SHAPE
    )
    session.add(user)
    session.flush()
    publish(session, PersonSaved(user=user))
    return user.avatar_version


def remove_avatar(session: Session, *, user: User, actor: User) -> None:
    """Back to the generated face; an admin removing someone else's picture is audited."""
    assert user.id is not None
    remove_images(session, owner_kind=OWNER_KIND, owner_id=user.id)
    had_picture = user.avatar_version is not None
    user.avatar_version = None
    session.add(user)
    if actor.id != user.id and had_picture:
        record_audit(
            session,
            actor=actor,
            action="user.avatar_removed",
            target_type="user",
            target_id=user.id,
        )
    session.flush()
    publish(session, PersonSaved(user=user))


def servable_avatar(session: Session, *, person: User, width: int) -> StoredImage | None:
    """The picture to serve at about `width`, or None: none set, or the person is deactivated
    (a deactivated or erased person's picture is never served, whoever asks)."""
    if not person.is_active or person.avatar_version is None or person.id is None:
        return None
    return find_image(session, owner_kind=OWNER_KIND, owner_id=person.id, width=width)
