"""Every picture Agora decodes or encodes goes through here: attachments (app.uploads.media),
profile pictures and space header images (app.images.store).

The type is read from the bytes (only four of Pillow's decoders are tried, and they look at the
data, never at the file name or the client's Content-Type), so HTML, SVG or an executable named
`.png` is refused. A picture's size is checked before a pixel is decoded, so a small file that
unpacks to gigabytes (a decompression bomb) is refused. Pixels are encoded afresh, without any
metadata: EXIF (a phone photo's GPS position, its camera serial), comments, and anything a
polyglot file hid after the image data are gone.
"""

import hashlib
import io
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Protocol

from PIL import Image, ImageOps, UnidentifiedImageError

from app.core.config import get_settings
from app.core.errors import Invalid
from app.core.i18n import N_

MB = 1024 * 1024
# The decoders tried, by the bytes' signature; anything else is not a picture here.
ACCEPTED_FORMATS = ("JPEG", "PNG", "WEBP", "GIF")
# Pictures larger than this are refused before decoding (a phone photo is about 12-50 MP); an
# animation counts every frame.
MAX_PIXELS = 64_000_000
MAX_SIDE = 16_000
OUTPUT_TYPE = "image/webp"

NOT_A_PICTURE = N_("This file is not a picture. Upload a JPEG, PNG, WebP or GIF image.")
TOO_MANY_PIXELS = N_("This picture is too large (at most %(megapixels)s megapixels).")
TOO_LARGE = N_("The file is too large (at most %(size)s MB).")
EMPTY = N_("Choose a picture to upload.")


class PictureError(Exception):
    """The bytes are no picture this module will decode."""


class UnreadablePicture(PictureError):
    """Not one of the accepted formats, or damaged."""


class TooManyPixels(PictureError):
    """Larger than MAX_PIXELS / MAX_SIDE (or an animation whose frames together are)."""

    def __init__(self, width: int | None = None, height: int | None = None) -> None:
        super().__init__(width, height)
        self.width = width
        self.height = height


@contextmanager
def decoded(source: Path | IO[bytes]) -> Iterator[Image.Image]:
    """The picture in `source`, decoded once its format and bounds are checked.

    UnreadablePicture or TooManyPixels otherwise (also for errors of the caller's encoding in
    the block: a picture that cannot be written again is no picture to keep)."""
    with warnings.catch_warnings():
        # Pillow only warns between MAX_IMAGE_PIXELS and twice that: a bomb either way.
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            with Image.open(source, formats=ACCEPTED_FORMATS) as image:
                width, height = image.size
                frames = getattr(image, "n_frames", 1)
                if max(width, height) > MAX_SIDE or frames * width * height > MAX_PIXELS:
                    raise TooManyPixels(width, height)
                image.load()
                yield image
        except (Image.DecompressionBombError, Image.DecompressionBombWarning):
            raise TooManyPixels() from None
        except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError):
            raise UnreadablePicture() from None


def save_clean(image: Image.Image, target: Path) -> None:
    """`image` written to `target` in its own format, upright, without any metadata."""
    image_format = image.format or "PNG"
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


def save_at_width(image: Image.Image, width: int, target: Path) -> None:
    """A WebP of `image` at most `width` pixels wide (the first frame of an animation)."""
    image.seek(0)
    small = ImageOps.exif_transpose(image).copy()
    small.thumbnail((width, MAX_SIDE))
    if small.mode not in ("RGB", "RGBA"):
        small = small.convert("RGBA")
    small.save(target, "WEBP", quality=80)


# --- pictures of people and spaces: cropped to a shape, encoded at a few widths ---------------


@dataclass(frozen=True, slots=True)
class Shape:
    """What an upload becomes: a crop of this aspect, encoded at each of these widths."""

    aspect: float  # width / height
    widths: tuple[int, ...]

    def size_at(self, width: int) -> tuple[int, int]:
        return width, round(width / self.aspect)


@dataclass(frozen=True, slots=True)
class Processed:
    width: int
    height: int
    data: bytes


@dataclass(frozen=True, slots=True)
class ProcessedSet:
    version: str
    content_type: str
    images: tuple[Processed, ...]


class Readable(Protocol):
    def read(self, size: int = -1, /) -> bytes: ...


def read_limited(stream: Readable, *, max_bytes: int) -> bytes:
    """At most `max_bytes` of an upload; more is refused, without reading the rest."""
    raw = stream.read(max_bytes + 1)
    if len(raw) > max_bytes:
        raise Invalid(TOO_LARGE, field="file", size=max(1, max_bytes // MB))
    if not raw:
        raise Invalid(EMPTY, field="file")
    return raw


def read_picture(stream: Readable) -> bytes:
    """An uploaded picture's bytes, refused past AGORA_UPLOAD_MAX_MB without reading further."""
    return read_limited(stream, max_bytes=get_settings().upload_max_mb * MB)


def process_picture(raw: bytes, shape: Shape) -> ProcessedSet:
    """Sniff, bound, orient, crop and re-encode `raw` at every width of `shape`."""
    try:
        with decoded(io.BytesIO(raw)) as opened:
            picture = ImageOps.exif_transpose(opened)
            picture = picture.convert("RGBA" if _has_alpha(picture) else "RGB")
    except TooManyPixels:
        raise Invalid(TOO_MANY_PIXELS, field="file", megapixels=MAX_PIXELS // 1_000_000) from None
    except UnreadablePicture:
        raise Invalid(NOT_A_PICTURE, field="file") from None
    images = tuple(_encode(picture, shape, width) for width in shape.widths)
    version = hashlib.sha256(b"".join(image.data for image in images)).hexdigest()[:16]
    return ProcessedSet(version=version, content_type=OUTPUT_TYPE, images=images)


def _has_alpha(picture: Image.Image) -> bool:
    return picture.mode in ("RGBA", "LA", "PA") or "transparency" in picture.info


def _encode(picture: Image.Image, shape: Shape, width: int) -> Processed:
    size = shape.size_at(width)
    cropped = ImageOps.fit(picture, size, Image.Resampling.LANCZOS)
    # A fresh image holds only pixels: no EXIF, XMP, ICC or comments are carried across.
    clean = Image.new(cropped.mode, cropped.size)
    clean.paste(cropped)
    out = io.BytesIO()
    clean.save(out, format="WEBP", quality=82, method=4)
    return Processed(width=size[0], height=size[1], data=out.getvalue())
