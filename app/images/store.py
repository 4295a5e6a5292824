"""Keep and find the processed images of an owner (a person's picture, a space's header)."""

from sqlalchemy import delete
from sqlmodel import Session, col, select

from app.images.models import StoredImage
from app.images.processing import ProcessedSet, Shape, process_picture


def store_picture(
    session: Session, *, owner_kind: str, owner_id: int | None, raw: bytes, shape: Shape
) -> str:
    """Process an upload into `shape` and keep it as the owner's images; its version."""
    assert owner_id is not None
    processed = process_picture(raw, shape)
    return replace_images(session, owner_kind=owner_kind, owner_id=owner_id, processed=processed)


def replace_images(
    session: Session, *, owner_kind: str, owner_id: int, processed: ProcessedSet
) -> str:
    """Store `processed` as the owner's images, in place of any earlier ones; its version."""
    remove_images(session, owner_kind=owner_kind, owner_id=owner_id)
    for image in processed.images:
        session.add(
            StoredImage(
                owner_kind=owner_kind,
                owner_id=owner_id,
                width=image.width,
                height=image.height,
                content_type=processed.content_type,
                version=processed.version,
                data=image.data,
            )
        )
    session.flush()
    return processed.version


def remove_images(session: Session, *, owner_kind: str, owner_id: int) -> None:
    session.execute(
        delete(StoredImage).where(
            col(StoredImage.owner_kind) == owner_kind, col(StoredImage.owner_id) == owner_id
        )
    )


def find_image(
    session: Session, *, owner_kind: str, owner_id: int, width: int
) -> StoredImage | None:
    """The owner's smallest image at least `width` wide, else its largest."""
    found = session.exec(
        select(StoredImage)
        .where(StoredImage.owner_kind == owner_kind, StoredImage.owner_id == owner_id)
        .order_by(col(StoredImage.width))
    ).all()
    for image in found:
        if image.width >= width:
            return image
    return found[-1] if found else None
