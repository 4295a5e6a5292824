"""What an uploaded file really is, decided from its bytes, and images made safe.

Neither the file's name nor the type the browser sent count: the first bytes do (`filetype`'s
signatures), then Pillow must open an image whole. Images are re-encoded, which drops whatever
rode along (EXIF with GPS positions, comments, a script appended to a valid PNG); their size is
bounded before any pixel is decoded, so a small file that unpacks to gigabytes is refused.
Executables, HTML and SVG with scripts are refused; other files are served only as downloads.
"""

import re
import unicodedata
import warnings
from dataclasses import dataclass
from pathlib import Path

import filetype
from PIL import Image, ImageOps, UnidentifiedImageError

from app.errors import DomainError
from app.i18n import N_

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
# Pictures larger than this are refused before decoding (a phone photo is about 12-50 MP).
MAX_PIXELS = 64_000_000
MAX_SIDE = 16_000
THUMBNAIL_SIDE = 480
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
    thumbnail: Path | None = None

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
    try:
        with warnings.catch_warnings():
            # Pillow only warns between MAX_IMAGE_PIXELS and twice that: a bomb either way.
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(source) as image:
                width, height = image.size
                if width * height > MAX_PIXELS or max(width, height) > MAX_SIDE:
                    raise FileTooLarge(
                        N_("The picture is too large (%(width)s × %(height)s pixels)."),
                        width=width,
                        height=height,
                    )
                image_format = image.format or ""
                if image_format not in IMAGE_EXTENSIONS:
                    raise RefusedFile(N_("Files of this type cannot be uploaded."))
                frames = getattr(image, "n_frames", 1)
                if frames * width * height > MAX_PIXELS:
                    raise FileTooLarge(
                        N_("The animation is too large (%(width)s × %(height)s pixels)."),
                        width=width,
                        height=height,
                    )
                image.load()
                target = workdir / f"clean.{IMAGE_EXTENSIONS[image_format]}"
                _save_clean(image, image_format, target)
                thumbnail = workdir / "thumb.webp"
                _save_thumbnail(image, thumbnail)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise FileTooLarge(N_("The picture is too large to be unpacked safely.")) from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError):
        raise RefusedFile(N_("The picture is damaged or not what it claims to be.")) from None
    with Image.open(target) as clean:
        width, height = clean.size
    return CheckedFile(
        target,
        _content_type(image_format),
        IMAGE_EXTENSIONS[image_format],
        width,
        height,
        thumbnail,
    )


def _content_type(image_format: str) -> str:
    return next(mime for mime, name in IMAGE_FORMATS.items() if name == image_format)


def _save_clean(image: Image.Image, image_format: str, target: Path) -> None:
    # Saving without exif=, icc_profile= or pnginfo= writes none of the metadata.
    if image_format == "GIF" and getattr(image, "is_animated", False):
        image.save(target, "GIF", save_all=True, loop=image.info.get("loop", 0))
        return
    # The camera's orientation is applied to the pixels, since the EXIF tag saying it goes.
    upright = ImageOps.exif_transpose(image)
    if image_format == "JPEG":
        upright.convert("RGB").save(target, "JPEG", quality=88, optimize=True)
    elif image_format == "WEBP":
        upright.save(target, "WEBP", quality=88)
    elif image_format == "GIF":
        upright.save(target, "GIF")
    else:
        upright.save(target, "PNG", optimize=True)


def _save_thumbnail(image: Image.Image, target: Path) -> None:
    image.seek(0)
    small = ImageOps.exif_transpose(image).copy()
    small.thumbnail((THUMBNAIL_SIDE, THUMBNAIL_SIDE))
    if small.mode not in ("RGB", "RGBA"):
        small = small.convert("RGBA")
    small.save(target, "WEBP", quality=80)
