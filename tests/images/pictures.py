"""Pictures made in memory for the tests: photos with GPS metadata, bombs, impostors."""

import io

from PIL import Image

GPS_IFD = 0x8825
MAKE = 0x010F


def picture(fmt: str = "JPEG", size: tuple[int, int] = (640, 480), colour: str = "teal") -> bytes:
    out = io.BytesIO()
    mode = "RGBA" if fmt in ("PNG", "WEBP") else "RGB"
    Image.new(mode, size, colour).save(out, format=fmt)
    return out.getvalue()


def photo_with_gps(size: tuple[int, int] = (600, 400)) -> bytes:
    """A JPEG as a phone writes it: camera make and where it was taken."""
    exif = Image.Exif()
    exif[MAKE] = "PhoneCo"
    gps = exif.get_ifd(GPS_IFD)
    gps[1] = "N"
    gps[2] = (52.0, 31.0, 12.0)
    gps[3] = "E"
    gps[4] = (13.0, 24.0, 36.0)
    out = io.BytesIO()
    Image.new("RGB", size, "orange").save(out, format="JPEG", exif=exif.tobytes())
    return out.getvalue()


def bomb(pixels_wide: int, pixels_high: int) -> bytes:
    """A small file that decodes to a huge image (one bit per pixel, all alike)."""
    out = io.BytesIO()
    Image.new("1", (pixels_wide, pixels_high)).save(out, format="PNG")
    return out.getvalue()


SVG_WITH_SCRIPT = (
    b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(document.cookie)</script>'
    b'<rect width="10" height="10"/></svg>'
)
HTML_PAGE = b"<!doctype html><html><body><script>alert(1)</script></body></html>"
WINDOWS_EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 200


def polyglot() -> bytes:
    """A real GIF with an HTML page after its end: opened as a page, it would run a script."""
    return picture("GIF", (32, 32)) + HTML_PAGE
