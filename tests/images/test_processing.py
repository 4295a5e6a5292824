"""Uploaded pictures: the type comes from the bytes, metadata never survives, bombs and
oversized files are refused with a message, and every output is a fresh square WebP."""

import io

import pytest
from PIL import Image

from app.core.errors import Invalid
from app.images.processing import MAX_PIXELS, MB, Shape, process_picture, read_limited
from tests.images.pictures import (
    GPS_IFD,
    HTML_PAGE,
    SVG_WITH_SCRIPT,
    WINDOWS_EXE,
    bomb,
    photo_with_gps,
    picture,
    polyglot,
)

SQUARE = Shape(aspect=1.0, widths=(64, 256))


def _opened(data: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(data))
    image.load()
    return image


@pytest.mark.parametrize("fmt", ["JPEG", "PNG", "WEBP", "GIF"])
def test_each_accepted_format_becomes_square_webp_at_every_width(fmt):
    result = process_picture(picture(fmt, (640, 480)), SQUARE)
    assert [(i.width, i.height) for i in result.images] == [(64, 64), (256, 256)]
    assert result.content_type == "image/webp"
    for image in result.images:
        assert _opened(image.data).format == "WEBP"
        assert _opened(image.data).size == (image.width, image.height)
    assert len(result.version) == 16


def test_a_wide_shape_is_cropped_to_its_aspect():
    banner = Shape(aspect=4.0, widths=(640,))
    (image,) = process_picture(picture("PNG", (500, 500)), banner).images
    assert (image.width, image.height) == (640, 160)


def test_gps_position_and_camera_details_are_removed():
    raw = photo_with_gps()
    assert _opened(raw).getexif().get_ifd(GPS_IFD)  # the upload does carry a position

    for image in process_picture(raw, SQUARE).images:
        cleaned = _opened(image.data)
        assert not cleaned.getexif()
        assert "exif" not in cleaned.info and "xmp" not in cleaned.info
        assert b"PhoneCo" not in image.data and b"Exif" not in image.data


@pytest.mark.parametrize(
    "raw",
    [SVG_WITH_SCRIPT, HTML_PAGE, WINDOWS_EXE, b"%PDF-1.7\n", b"just some text"],
    ids=["svg-with-script", "html", "exe", "pdf", "text"],
)
def test_what_is_not_a_raster_picture_is_refused_whatever_its_name(raw):
    with pytest.raises(Invalid) as refused:
        process_picture(raw, SQUARE)
    assert refused.value.field == "file"
    assert "not a picture" in refused.value.text()


def test_a_truncated_picture_is_refused():
    with pytest.raises(Invalid):
        process_picture(picture("PNG")[:200], SQUARE)


def test_a_polyglot_keeps_only_its_pixels():
    result = process_picture(polyglot(), SQUARE)
    for image in result.images:
        assert b"<script" not in image.data and b"html" not in image.data


@pytest.mark.parametrize(
    "size",
    [(9000, 8000), (12_000, 12_000)],
    ids=["over-our-bound", "over-pillows-own-bound"],
)
def test_decompression_bombs_are_refused_before_decoding(size):
    raw = bomb(*size)
    assert len(raw) < 100_000 and size[0] * size[1] > MAX_PIXELS
    with pytest.raises(Invalid) as refused:
        process_picture(raw, SQUARE)
    assert "too large" in refused.value.text() and "64" in refused.value.text()


def test_reading_stops_past_the_size_limit_with_a_clear_message():
    stream = io.BytesIO(b"x" * (3 * MB + 1))
    with pytest.raises(Invalid) as refused:
        read_limited(stream, max_bytes=3 * MB)
    assert refused.value.text() == "The file is too large (at most 3 MB)."
    assert stream.tell() == 3 * MB + 1  # read one byte past the limit, and no further


def test_an_empty_upload_asks_for_a_picture():
    with pytest.raises(Invalid, match="Choose a picture"):
        read_limited(io.BytesIO(b""), max_bytes=10)
