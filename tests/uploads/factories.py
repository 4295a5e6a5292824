"""Files for the upload tests, made on the spot (no binary fixtures in the repository)."""

import io
import tempfile
from pathlib import Path

from PIL import Image
from sqlmodel import Session

from app.people.models import User
from app.uploads.models import Upload
from app.uploads.service import store_upload


def png_bytes(size: tuple[int, int] = (40, 30), color: str = "teal") -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, color).save(out, "PNG")
    return out.getvalue()


def jpeg_with_gps() -> bytes:
    """A photo whose EXIF says where it was taken (and that the camera was a test one)."""
    image = Image.new("RGB", (64, 48), "orange")
    exif = Image.Exif()
    exif[0x010F] = "AgoraTestCam"  # Make
    gps = {1: "N", 2: (52.0, 31.0, 12.0), 3: "E", 4: (13.0, 24.0, 36.0)}
    exif[0x8825] = gps  # GPSInfo
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif.tobytes())
    return out.getvalue()


def make_upload(
    session: Session, *, user: User, data: bytes | None = None, name: str = "picture.png"
) -> Upload:
    with tempfile.TemporaryDirectory() as folder:
        source = Path(folder) / "source"
        source.write_bytes(png_bytes() if data is None else data)
        upload = store_upload(session, user=user, source=source, filename=name)
    session.commit()
    return upload
