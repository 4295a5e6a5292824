"""Turn an uploaded picture into a few small, clean images.

The type is read from the bytes (Pillow's decoders look at the data, never at the file name or
the client's Content-Type), and only four raster formats are opened at all, so HTML, SVG or an
executable named `.png` is refused. The pixels are then drawn into new images and encoded
afresh: nothing of the upload survives but its pixels, so EXIF metadata (a phone photo's GPS
position, its camera serial) and anything a polyglot file hid after the image data are gone.
"""

import hashlib
import io
import warnings
from dataclasses import dataclass
from typing import Protocol

from PIL import Image, ImageOps, UnidentifiedImageError

from app.config import get_settings
from app.errors import Invalid
from app.i18n import N_

# The decoders tried, by the bytes' signature; anything else is not a picture here.
ACCEPTED_FORMATS = ("JPEG", "PNG", "WEBP", "GIF")
# A picture larger than this is refused before it is decoded: a small file can declare
# enormous dimensions (a decompression bomb) and would take gigabytes once decoded.
MAX_PIXELS = 40_000_000
OUTPUT_TYPE = "image/webp"

NOT_A_PICTURE = N_("This file is not a picture. Upload a JPEG, PNG, WebP or GIF image.")
TOO_MANY_PIXELS = N_("This picture is too large (at most %(megapixels)s megapixels).")
TOO_LARGE = N_("The file is too large (at most %(size)s MB).")
EMPTY = N_("Choose a picture to upload.")


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
        raise Invalid(TOO_LARGE, field="file", size=max_bytes // 1_000_000)
    if not raw:
        raise Invalid(EMPTY, field="file")
    return raw


def read_picture(stream: Readable) -> bytes:
    """An uploaded picture's bytes, refused past the site's limit without reading further."""
    return read_limited(stream, max_bytes=get_settings().picture_max_mb * 1_000_000)


def process_picture(raw: bytes, shape: Shape) -> ProcessedSet:
    """Sniff, bound, orient, crop and re-encode `raw` at every width of `shape`."""
    picture = _open(raw)
    try:
        picture = ImageOps.exif_transpose(picture)
    except (OSError, SyntaxError, ValueError) as exc:
        raise Invalid(NOT_A_PICTURE, field="file") from exc
    picture = picture.convert("RGBA" if _has_alpha(picture) else "RGB")
    images = tuple(_encode(picture, shape, width) for width in shape.widths)
    version = hashlib.sha256(b"".join(image.data for image in images)).hexdigest()[:16]
    return ProcessedSet(version=version, content_type=OUTPUT_TYPE, images=images)


def _open(raw: bytes) -> Image.Image:
    with warnings.catch_warnings():
        # Pillow warns (and past twice its own limit refuses) on huge images; both mean no here.
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            picture = Image.open(io.BytesIO(raw), formats=ACCEPTED_FORMATS)
            if picture.width * picture.height > MAX_PIXELS:
                raise Invalid(TOO_MANY_PIXELS, field="file", megapixels=MAX_PIXELS // 1_000_000)
            picture.load()
        except (Image.DecompressionBombWarning, Image.DecompressionBombError) as exc:
            raise Invalid(
                TOO_MANY_PIXELS, field="file", megapixels=MAX_PIXELS // 1_000_000
            ) from exc
        except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
            raise Invalid(NOT_A_PICTURE, field="file") from exc
    return picture


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
