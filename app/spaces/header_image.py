"""A space's header image, chosen by its hosts: processed like profile pictures (app.images),
cropped to a wide banner, served only to those who may read the space."""

from typing import Literal

from sqlmodel import Session

from app.images.models import StoredImage
from app.images.processing import Shape
from app.images.store import find_image, remove_images, store_picture
from app.spaces.access import SpaceAccess, require_manage

OWNER_KIND = "space_header"
# A banner across the space's header: 4:1, sharp on a 2x phone (640) and a desktop (1280).
HEADER_SHAPE = Shape(aspect=4.0, widths=(640, 1280))
HeaderWidth = Literal["640", "1280"]


def header_url(slug: str, version: str, width: int = 1280) -> str:
    """The banner's URL at `width`, naming its version (a new image shows at once)."""
    return f"/spaces/{slug}/header/{width}?v={version}"


def set_header_image(session: Session, *, access: SpaceAccess, raw: bytes) -> str:
    """Make `raw` the space's header image (hosts and admins); its version."""
    space = require_manage(access).space
    space.header_image_version = store_picture(
        session, owner_kind=OWNER_KIND, owner_id=space.id, raw=raw, shape=HEADER_SHAPE
    )
    session.add(space)
    session.flush()
    return space.header_image_version


def remove_header_image(session: Session, *, access: SpaceAccess) -> None:
    space = require_manage(access).space
    assert space.id is not None
    remove_images(session, owner_kind=OWNER_KIND, owner_id=space.id)
    space.header_image_version = None
    session.add(space)
    session.flush()


def servable_header_image(
    session: Session, *, access: SpaceAccess, width: int
) -> StoredImage | None:
    """The header image at about `width`, for a reader of the space; None otherwise (a private
    space's banner belongs to its content, not to the door outsiders see)."""
    space = access.space
    if not access.can_read or space.header_image_version is None or space.id is None:
        return None
    return find_image(session, owner_kind=OWNER_KIND, owner_id=space.id, width=width)
