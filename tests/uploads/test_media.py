"""The type comes from the bytes, images are re-encoded, bombs and scripts are refused."""

import io
import struct
import zlib
from pathlib import Path

import pytest
from PIL import Image

from app.uploads.media import FileTooLarge, RefusedFile, check_file, safe_name
from tests.uploads.factories import jpeg_with_gps, png_bytes


def _check(tmp_path: Path, data: bytes):  # type: ignore[no-untyped-def]
    source = tmp_path / "source"
    source.write_bytes(data)
    work = tmp_path / "work"
    work.mkdir(exist_ok=True)
    return check_file(source, work)


def test_a_png_is_a_png_whatever_its_name(tmp_path: Path) -> None:
    checked = _check(tmp_path, png_bytes((40, 30)))
    assert (checked.content_type, checked.extension) == ("image/png", "png")
    assert (checked.width, checked.height) == (40, 30)
    assert set(checked.variants) == {"thumb.webp", "large.webp"}
    assert all(path.exists() for path in checked.variants.values())
    assert safe_name("invoice.exe", checked.extension) == "invoice.png"


def test_gps_and_camera_are_gone_after_re_encoding(tmp_path: Path) -> None:
    checked = _check(tmp_path, jpeg_with_gps())
    assert checked.content_type == "image/jpeg"
    with Image.open(checked.path) as clean:
        exif = clean.getexif()
        assert not exif.get_ifd(0x8825)
        assert 0x010F not in exif
    assert b"AgoraTestCam" not in checked.path.read_bytes()


def test_html_named_png_is_refused(tmp_path: Path) -> None:
    with pytest.raises(RefusedFile, match="HTML"):
        _check(tmp_path, b"<!DOCTYPE html><html><body><script>alert(1)</script></body></html>")


@pytest.mark.parametrize(
    "svg",
    [
        b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
        b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><rect/></svg>',
        b'<?xml version="1.0"?><svg><a href="javascript:alert(1)"><rect/></a></svg>',
    ],
)
def test_svg_with_script_is_refused(tmp_path: Path, svg: bytes) -> None:
    with pytest.raises(RefusedFile, match="SVG"):
        _check(tmp_path, svg)


def test_plain_svg_is_kept_as_a_download(tmp_path: Path) -> None:
    checked = _check(tmp_path, b'<svg xmlns="http://www.w3.org/2000/svg"><rect/></svg>')
    assert checked.content_type == "image/svg+xml"
    assert not checked.is_image  # served as an attachment, never inline


@pytest.mark.parametrize(
    "data",
    [
        b"MZ\x90\x00" + b"\x00" * 60 + b"PE\x00\x00" + b"\x00" * 200,  # Windows executable
        b"\x7fELF\x02\x01\x01" + b"\x00" * 200,  # Linux executable
        b"#!/bin/sh\nrm -rf ~\n",  # a script
        b"\x00\x01binary junk\xff\xfe",
    ],
)
def test_executables_and_unknown_bytes_are_refused(tmp_path: Path, data: bytes) -> None:
    with pytest.raises(RefusedFile):
        _check(tmp_path, data)


def test_polyglot_png_with_html_loses_its_payload(tmp_path: Path) -> None:
    payload = b"<html><script>alert(document.cookie)</script></html>"
    checked = _check(tmp_path, png_bytes() + payload)
    assert checked.content_type == "image/png"
    assert payload not in checked.path.read_bytes()


def test_polyglot_gif_script_that_is_no_image_is_refused(tmp_path: Path) -> None:
    # "GIFAR"-style: a GIF signature in front of JavaScript; Pillow cannot read it as a picture.
    with pytest.raises(RefusedFile, match="damaged"):
        _check(tmp_path, b"GIF89a/*\x00\x00*/=1;alert(document.domain)//")


def _png_header_only(width: int, height: int) -> bytes:
    """A tiny PNG that claims huge dimensions: what a decompression bomb looks like up front."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    row = b"\x00" + b"\x00" * width
    data = zlib.compress(row * 8, 9)
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", data) + chunk(b"IEND", b"")
    )


def test_decompression_bomb_is_refused_before_decoding(tmp_path: Path) -> None:
    bomb = _png_header_only(30_000, 30_000)
    assert len(bomb) < 2_000
    with pytest.raises(FileTooLarge, match="too large"):
        _check(tmp_path, bomb)


def test_pdf_and_text_are_kept_as_they_are(tmp_path: Path) -> None:
    pdf = _check(tmp_path, b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n")
    assert (pdf.content_type, pdf.extension, pdf.variants) == ("application/pdf", "pdf", {})
    text = _check(tmp_path, "Agenda: Grüße\n".encode())
    assert text.content_type == "text/plain"


def test_names_lose_folders_and_odd_characters() -> None:
    assert safe_name("../../etc/passwd", "txt") == "passwd.txt"
    assert safe_name("C:\\Users\\x\\Bild <1>.jpeg", "jpg") == "Bild _1.jpg"
    assert safe_name("...", "png") == "file.png"


def test_empty_file_is_refused(tmp_path: Path) -> None:
    with pytest.raises(RefusedFile, match="empty"):
        _check(tmp_path, b"")


def test_exif_orientation_is_applied_to_the_pixels(tmp_path: Path) -> None:
    image = Image.new("RGB", (60, 20), "red")
    exif = Image.Exif()
    exif[0x0112] = 6  # rotate 90° when shown
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif.tobytes())
    checked = _check(tmp_path, out.getvalue())
    assert (checked.width, checked.height) == (20, 60)
