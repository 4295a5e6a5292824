"""What an uploaded file really is, decided from its bytes, and images made safe.

Neither the file's name nor the type the browser sent count: the first bytes do (`filetype`'s
signatures), then an image must decode whole in app.images.processing, which owns decoding,
re-encoding and the bounds against decompression bombs for every picture in Agora: re-encoding
drops whatever rode along (EXIF with GPS positions, comments, a script appended to a valid PNG).
Executables, HTML and SVG with scripts are refused; other files are served only as downloads.
"""

import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

import filetype
from PIL import Image

from app.core.errors import DomainError
from app.core.i18n import N_
from app.images.processing import (
    TooManyPixels,
    UnreadablePicture,
    decoded,
    save_at_width,
    save_clean,
)

# Raster images shown inline, and the format each is re-encoded to.
IMAGE_FORMATS = {"image/png": "PNG", "image/jpeg": "JPEG", "image/gif": "GIF", "image/webp": "WEBP"}
IMAGE_EXTENSIONS = {"PNG": "png", "JPEG": "jpg", "GIF": "gif", "WEBP": "webp"}
# Other files, kept as they are and served as downloads.
DOCUMENTS = {
    "application/pdf": "pdf",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "docx",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "xlsx",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation": "pptx",
    "application/vnd.oasis.opendocument.text": "odt",
    "application/vnd.oasis.opendocument.spreadsheet": "ods",
    "application/vnd.oasis.opendocument.presentation": "odp",
    "application/zip": "zip",
}
# The groups an admin allows or not (app/uploads/limits.py), each a set of content types.
TYPE_GROUPS: dict[str, frozenset[str]] = {
    "images": frozenset(IMAGE_FORMATS),
    "documents": frozenset(DOCUMENTS) - {"application/zip"},
    "text": frozenset({"text/plain", "image/svg+xml"}),
    "archives": frozenset({"application/zip"}),
}
# The sizes a picture is shown at besides its own (stored name: width), made once on upload;
# "thumb" for lists and attachment previews, "large" for a text's column on a 2x screen.
VARIANT_WIDTHS = {"thumb.webp": 480, "large.webp": 1280}
TEXT_SNIFF_BYTES = 64 * 1024
MARKUP = re.compile(rb"<\s*(!doctype\s+html|html|head|body|script|iframe|object|embed)\b", re.I)
SVG = re.compile(rb"<\s*svg\b", re.I)
SVG_ACTIVE = re.compile(
    rb"<\s*(script|foreignobject|iframe|embed|object)\b|\bon[a-z]+\s*=|javascript:|<!entity", re.I
)


class RefusedFile(DomainError):
    """The bytes are of a kind Agora does not keep (or not what they claim to be)."""

    status_code = 415


class FileTooLarge(DomainError):
    status_code = 413


@dataclass(frozen=True)
class CheckedFile:
    path: Path  # what to store: the re-encoded image, or the file as uploaded
    content_type: str
    extension: str
    width: int | None = None
    height: int | None = None
    variants: dict[str, Path] = field(default_factory=dict)

    @property
    def is_image(self) -> bool:
        return self.content_type in IMAGE_FORMATS


def safe_name(name: str, extension: str) -> str:
    """The file's name as people see it: no folders, no odd characters, the real extension."""
    base = unicodedata.normalize("NFKC", name).replace("\\", "/").rsplit("/", 1)[-1]
    stem = base.rsplit(".", 1)[0] if "." in base.strip(".") else base
    stem = re.sub(r"[^\w\- ]+", "_", stem, flags=re.UNICODE).strip(" ._-")[:80] or "file"
    return f"{stem}.{extension}"


def check_file(source: Path, workdir: Path) -> CheckedFile:
    """Decide what `source` is and make it safe to serve; RefusedFile otherwise."""
    with source.open("rb") as data:
        head = data.read(TEXT_SNIFF_BYTES)
    if not head:
        raise RefusedFile(N_("The file is empty."))
    kind = filetype.guess(head)
    if kind is not None and kind.mime in IMAGE_FORMATS:
        return _reencode_image(source, workdir)
    if kind is not None and kind.mime in DOCUMENTS:
        return CheckedFile(source, kind.mime, DOCUMENTS[kind.mime])
    if kind is not None:
        raise RefusedFile(N_("Files of this type cannot be uploaded."))
    return _check_text(source, head)


def _check_text(source: Path, head: bytes) -> CheckedFile:
    if b"\0" in head:
        raise RefusedFile(N_("Files of this type cannot be uploaded."))
    try:
        text = source.read_bytes().decode("utf-8")
    except UnicodeDecodeError:
        raise RefusedFile(N_("Files of this type cannot be uploaded.")) from None
    data = text.encode()
    if SVG.search(data):
        if SVG_ACTIVE.search(data):
            raise RefusedFile(N_("SVG images with scripts cannot be uploaded."))
        return CheckedFile(source, "image/svg+xml", "svg")
    if MARKUP.search(data):
        raise RefusedFile(N_("HTML pages cannot be uploaded."))
    if text.startswith("#!"):
        raise RefusedFile(N_("Scripts cannot be uploaded."))
    return CheckedFile(source, "text/plain", "txt")


def _reencode_image(source: Path, workdir: Path) -> CheckedFile:
    variants: dict[str, Path] = {}
    try:
        with decoded(source) as image:
            image_format = image.format or ""
            target = workdir / f"clean.{IMAGE_EXTENSIONS[image_format]}"
            save_clean(image, target)
            # The smaller sizes pages show, made once here (app.uploads.service stores them).
            for variant, width in VARIANT_WIDTHS.items():
                variants[variant] = workdir / variant
                save_at_width(image, width, variants[variant])
    except TooManyPixels as refused:
        if refused.width is None:
            raise FileTooLarge(N_("The picture is too large to be unpacked safely.")) from None
        raise FileTooLarge(
            N_("The picture is too large (%(width)s × %(height)s pixels)."),
            width=refused.width,
            height=refused.height,
        ) from None
    except UnreadablePicture:
        raise RefusedFile(N_("The picture is damaged or not what it claims to be.")) from None
    with Image.open(target) as clean:
        width, height = clean.size
    return CheckedFile(
        target,
        _content_type(image_format),
        IMAGE_EXTENSIONS[image_format],
        width,
        height,
        variants,
    )


def _content_type(image_format: str) -> str:
    return next(mime for mime, name in IMAGE_FORMATS.items() if name == image_format)
