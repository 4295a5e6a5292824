"""AGORA_UPLOAD_ACCEL: the app checks access, the web server in front sends the bytes."""

from typing import Any

import pytest
from sqlmodel import Session

from app.core.config import Settings, get_settings
from app.uploads.service import ORIGINAL, THUMBNAIL, upload_url
from app.uploads.storage import get_storage, key_for
from tests.factories import make_post, make_space, make_user
from tests.uploads.factories import make_upload


@pytest.fixture
def shared(session: Session) -> dict[str, Any]:
    member = make_user(session)
    space = make_space(session, host=make_user(session), visibility="private", members=(member,))
    upload = make_upload(session, user=member, name="slides.png")
    make_post(session, author=member, space=space, body=f"![s]({upload_url(upload)})")
    return {"member": member, "upload": upload}


def _accel(monkeypatch: pytest.MonkeyPatch, mode: str, prefix: str = "/_agora_uploads/") -> None:
    monkeypatch.setattr(get_settings(), "upload_accel", mode)
    monkeypatch.setattr(get_settings(), "upload_accel_prefix", prefix)


def test_nginx_gets_the_internal_location_and_the_app_sends_no_bytes(
    shared: dict[str, Any], login: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    _accel(monkeypatch, "nginx", "/internal/files/")
    upload = shared["upload"]
    response = login(shared["member"]).get(upload_url(upload))
    assert response.status_code == 200
    assert response.headers["x-accel-redirect"] == "/internal/files/" + key_for(
        upload.token, ORIGINAL
    )
    assert response.content == b""
    # The headers the app decides still come from the app.
    assert response.headers["content-type"] == "image/png"
    assert response.headers["content-disposition"].startswith("inline;")
    assert response.headers["x-content-type-options"] == "nosniff"
    assert "x-sendfile" not in response.headers


def test_apache_gets_the_files_path(
    shared: dict[str, Any], login: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    _accel(monkeypatch, "apache")
    upload = shared["upload"]
    response = login(shared["member"]).get(f"/uploads/{upload.token}/thumb")
    path = get_storage().local_path(key_for(upload.token, THUMBNAIL))
    assert path is not None and path.is_file()
    assert response.headers["x-sendfile"] == str(path)
    assert response.headers["content-type"] == "image/webp"
    assert response.content == b""


def test_the_access_check_still_runs_in_the_app(
    shared: dict[str, Any], login: Any, session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    _accel(monkeypatch, "nginx")
    response = login(make_user(session)).get(upload_url(shared["upload"]))
    assert response.status_code == 404
    assert "x-accel-redirect" not in response.headers


def test_an_unchanged_file_still_answers_304_without_handing_over(
    shared: dict[str, Any], login: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    _accel(monkeypatch, "nginx")
    web = login(shared["member"])
    etag = web.get(upload_url(shared["upload"])).headers["etag"]
    again = web.get(upload_url(shared["upload"]), headers={"If-None-Match": etag})
    assert again.status_code == 304
    assert "x-accel-redirect" not in again.headers


def test_off_streams_from_the_app(shared: dict[str, Any], login: Any) -> None:
    response = login(shared["member"]).get(upload_url(shared["upload"]))
    assert "x-accel-redirect" not in response.headers
    assert response.content.startswith(b"\x89PNG")


def test_the_prefix_must_be_a_folder_path() -> None:
    with pytest.raises(ValueError, match="starts and ends with /"):
        Settings(upload_accel="nginx", upload_accel_prefix="internal")
