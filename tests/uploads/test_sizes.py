"""Pictures have sizes made once on upload (480 and 1280 px wide), texts show the one for texts
and link the file itself; sizes are served through the same access check, with an ETag."""

import io
from typing import Any

import pytest
from PIL import Image
from sqlmodel import Session

from app.uploads import service
from app.uploads.service import LARGE, ORIGINAL, THUMBNAIL, upload_url
from app.uploads.storage import get_storage, key_for
from tests.factories import make_post, make_space, make_user
from tests.uploads.factories import make_upload, png_bytes


@pytest.fixture
def shared(session: Session) -> dict[str, Any]:
    member = make_user(session)
    space = make_space(session, host=make_user(session), visibility="private", members=(member,))
    upload = make_upload(session, user=member, data=png_bytes((2400, 1200)), name="wide.png")
    post = make_post(session, author=member, space=space, body=f"![wide]({upload_url(upload)})")
    return {"member": member, "upload": upload, "post": post}


def _width(data: bytes) -> int:
    with Image.open(io.BytesIO(data)) as image:
        return image.width


def test_both_sizes_are_stored_on_upload(shared: dict[str, Any]) -> None:
    token = shared["upload"].token
    storage = get_storage()
    for variant in (ORIGINAL, THUMBNAIL, LARGE):
        assert storage.exists(key_for(token, variant)), variant
    assert _width(b"".join(storage.read(key_for(token, THUMBNAIL)))) == 480
    assert _width(b"".join(storage.read(key_for(token, LARGE)))) == 1280


def test_a_text_shows_the_size_for_texts_and_links_the_file(shared: dict[str, Any]) -> None:
    upload = shared["upload"]
    html = shared["post"].body_html
    assert f'<a href="{upload_url(upload)}" class="picture-link"' in html
    assert f'<img src="/uploads/{upload.token}/large" alt="wide" loading="lazy">' in html


def test_sizes_are_served_with_an_etag_and_never_enlarged(
    shared: dict[str, Any], session: Session, login: Any
) -> None:
    web = login(shared["member"])
    large = web.get(f"/uploads/{shared['upload'].token}/large")
    assert large.status_code == 200
    assert large.headers["content-type"] == "image/webp"
    assert large.headers["x-content-type-options"] == "nosniff"
    assert _width(large.content) == 1280
    again = web.get(
        f"/uploads/{shared['upload'].token}/large", headers={"If-None-Match": large.headers["etag"]}
    )
    assert again.status_code == 304 and again.content == b""
    small = make_upload(session, user=shared["member"], data=png_bytes((320, 200)), name="s.png")
    assert _width(web.get(f"/uploads/{small.token}/large").content) == 320


def test_sizes_follow_the_access_check(
    shared: dict[str, Any], session: Session, login: Any
) -> None:
    outsider = login(make_user(session))
    for size in ("thumb", "large"):
        assert outsider.get(f"/uploads/{shared['upload'].token}/{size}").status_code == 404


def test_documents_have_no_sizes(shared: dict[str, Any], session: Session, login: Any) -> None:
    pdf = make_upload(session, user=shared["member"], data=b"%PDF-1.4\n%%EOF\n", name="a.pdf")
    assert login(shared["member"]).get(f"/uploads/{pdf.token}/large").status_code == 404


def test_a_size_missing_from_an_older_upload_is_made_once(
    shared: dict[str, Any], login: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    storage = get_storage()
    token = shared["upload"].token
    storage.delete(key_for(token, LARGE))  # as stored before this size existed
    made: list[str] = []
    real_put = storage.put
    monkeypatch.setattr(storage, "put", lambda key, *rest: (made.append(key), real_put(key, *rest)))
    web = login(shared["member"])
    for _ in range(3):
        response = web.get(f"/uploads/{token}/large")
        assert response.status_code == 200
        assert _width(response.content) == 1280
    assert made == [key_for(token, LARGE)]


def test_pictures_are_made_once_at_upload_not_when_served(
    shared: dict[str, Any], login: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[object] = []
    monkeypatch.setattr(service, "save_at_width", lambda *args: calls.append(args))
    web = login(shared["member"])
    for size in ("thumb", "large", "thumb", "large"):
        assert web.get(f"/uploads/{shared['upload'].token}/{size}").status_code == 200
    assert calls == []
