"""Every visibility state of an attachment, through its file URL; the API contract; limits;
the headers that keep a file from acting as a page."""

from collections.abc import Callable
from typing import Any

import pytest
from sqlmodel import Session, func, select

from app.access.spaces import access_for
from app.core.config import get_settings
from app.core.db import utcnow
from app.people.service import set_active
from app.posts.models import Post
from app.posts.service import delete_post, update_post
from app.spaces.service import remove_member
from app.uploads.models import AttachedTo, Upload
from app.uploads.service import upload_url
from tests.factories import make_comment, make_post, make_space, make_token, make_user
from tests.uploads.factories import jpeg_with_gps, make_upload, png_bytes

Login = Callable[..., Any]


@pytest.fixture
def world(session: Session) -> dict[str, Any]:
    host = make_user(session, name="Hosting Hanna")
    member = make_user(session, name="Member Max")
    other = make_user(session, name="Other Member")
    outsider = make_user(session, name="Outsider Olga")
    admin = make_user(session, name="Admin Ada", admin=True)
    space = make_space(
        session, host=host, visibility="private", members=(member, other), name="Vault"
    )
    upload = make_upload(session, user=member, name="screenshot.png")
    post = make_post(
        session, author=member, space=space, title="With a picture",
        body=f"Look: ![shot]({upload_url(upload)})",
    )  # fmt: skip
    session.refresh(upload)
    return {
        "host": host, "member": member, "other": other, "outsider": outsider,
        "admin": admin, "space": space, "upload": upload, "post": post,
    }  # fmt: skip


def _status(login: Login, user: Any, url: str) -> int:
    return login(user).get(url).status_code


def test_saving_the_post_attaches_the_file(world: dict[str, Any]) -> None:
    upload = world["upload"]
    assert (upload.attached_kind, upload.attached_id) == (AttachedTo.post, world["post"].id)
    assert upload.space_id == world["space"].id


def test_readers_see_it_outsiders_do_not(world: dict[str, Any], login: Login) -> None:
    url = upload_url(world["upload"])
    for reader in ("member", "other", "host"):
        assert _status(login, world[reader], url) == 200, reader
    # The admin is no member of this private space: no more than its posts.
    for stranger in ("outsider", "admin"):
        assert _status(login, world[stranger], url) == 404, stranger
    assert login(world["outsider"]).get(url.rsplit("/", 1)[0] + "/thumb").status_code == 404


def test_signed_out_visitors_are_sent_to_sign_in(world: dict[str, Any], client: Any) -> None:
    response = client.get(upload_url(world["upload"]), follow_redirects=False)
    assert response.status_code in (303, 401)


def test_a_removed_member_loses_access_at_once(
    world: dict[str, Any], login: Login, session: Session
) -> None:
    other = login(world["other"])
    url = upload_url(world["upload"])
    assert other.get(url).status_code == 200
    access = access_for(session, world["host"], world["space"])
    remove_member(session, access=access, user_id=world["other"].id)
    session.commit()
    assert other.get(url).status_code == 404


def test_a_deactivated_person_loses_access(
    world: dict[str, Any], login: Login, session: Session
) -> None:
    other = login(world["other"])
    url = upload_url(world["upload"])
    set_active(session, user=world["other"], active=False, actor=world["admin"])
    session.commit()
    assert other.get(url, follow_redirects=False).status_code in (303, 404)


def test_a_deleted_post_closes_its_files(
    world: dict[str, Any], login: Login, session: Session
) -> None:
    delete_post(session, user=world["member"], post_id=world["post"].id)
    session.commit()
    for person in ("member", "other", "host"):
        assert _status(login, world[person], upload_url(world["upload"])) == 404, person


def test_a_hidden_post_shows_its_files_to_author_and_hosts_only(
    world: dict[str, Any], login: Login, session: Session
) -> None:
    post = session.get(Post, world["post"].id)
    assert post is not None
    post.hidden_at = utcnow()
    session.commit()
    url = upload_url(world["upload"])
    assert _status(login, world["other"], url) == 404
    assert _status(login, world["member"], url) == 200
    assert _status(login, world["host"], url) == 200


def test_before_posting_only_the_uploader_sees_it(
    world: dict[str, Any], login: Login, session: Session
) -> None:
    fresh = make_upload(session, user=world["member"])
    assert _status(login, world["member"], upload_url(fresh)) == 200
    assert _status(login, world["other"], upload_url(fresh)) == 404


def test_someone_elses_file_is_not_taken_over(
    world: dict[str, Any], login: Login, session: Session
) -> None:
    # A link to another person's file (attached or not) in my public post opens nothing.
    public = make_space(session, host=world["outsider"], visibility="public", name="Open")
    fresh = make_upload(session, user=world["member"])
    body = f"![a]({upload_url(world['upload'])}) ![b]({upload_url(fresh)})"
    make_post(session, author=world["outsider"], space=public, title="Stolen", body=body)
    session.refresh(fresh)
    assert fresh.attached_kind is None
    assert _status(login, world["outsider"], upload_url(world["upload"])) == 404
    assert _status(login, world["outsider"], upload_url(fresh)) == 404


def test_comment_and_edited_post_attach_too(
    world: dict[str, Any], session: Session, login: Login
) -> None:
    in_comment = make_upload(session, user=world["other"])
    comment = make_comment(
        session, author=world["other"], post=world["post"], body=f"![c]({upload_url(in_comment)})"
    )
    in_edit = make_upload(session, user=world["member"])
    update_post(
        session, user=world["member"], post_id=world["post"].id,
        body=f"Now: ![e]({upload_url(in_edit)})",
    )  # fmt: skip
    session.commit()
    session.refresh(in_comment)
    session.refresh(in_edit)
    assert (in_comment.attached_kind, in_comment.attached_id) == (AttachedTo.comment, comment.id)
    assert in_edit.attached_kind == AttachedTo.post
    assert _status(login, world["host"], upload_url(in_comment)) == 200
    assert _status(login, world["outsider"], upload_url(in_comment)) == 404


def test_safe_headers_and_etag(world: dict[str, Any], login: Login) -> None:
    member = login(world["member"])
    response = member.get(upload_url(world["upload"]))
    assert response.headers["content-type"] == "image/png"
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["content-disposition"].startswith("inline;")
    assert "sandbox" in response.headers["content-security-policy"]
    assert "private" in response.headers["cache-control"]
    etag = response.headers["etag"]
    again = member.get(upload_url(world["upload"]), headers={"If-None-Match": etag})
    assert again.status_code == 304
    assert again.content == b""
    thumb = member.get(upload_url(world["upload"]).rsplit("/", 1)[0] + "/thumb")
    assert thumb.status_code == 200
    assert thumb.headers["content-type"] == "image/webp"


def test_documents_are_downloads(world: dict[str, Any], login: Login, session: Session) -> None:
    text = make_upload(session, user=world["member"], data=b"minutes\n", name="notes.html")
    response = login(world["member"]).get(upload_url(text))
    assert text.name == "notes.txt"
    assert response.headers["content-type"].startswith("text/plain")
    assert response.headers["content-disposition"].startswith("attachment;")


# --- the API ---------------------------------------------------------------------------------


def _count(session: Session) -> int:
    return session.exec(select(func.count()).select_from(Upload)).one()


def _api(client: Any, session: Session, user: Any) -> dict[str, str]:
    return {"Authorization": f"Bearer {make_token(session, user=user)}"}


def test_api_upload_contract(world: dict[str, Any], client: Any, session: Session) -> None:
    headers = _api(client, session, world["member"])
    response = client.post(
        "/api/v1/uploads",
        headers=headers,
        files={"file": ("holiday.exe", jpeg_with_gps(), "application/x-msdownload")},
    )
    assert response.status_code == 201, response.text
    body = response.json()
    assert set(body) >= {"id", "url", "name", "content_type", "size", "width", "height"}
    assert body["name"] == "holiday.jpg"
    assert body["content_type"] == "image/jpeg"
    assert (body["width"], body["height"]) == (64, 48)
    assert body["url"] == f"/uploads/{body['id']}/holiday.jpg"


def test_api_refuses_html_with_a_clear_message(
    world: dict[str, Any], client: Any, session: Session
) -> None:
    response = client.post(
        "/api/v1/uploads",
        headers=_api(client, session, world["member"]),
        files={"file": ("pretty.png", b"<html><script>x()</script></html>", "image/png")},
    )
    assert response.status_code == 415
    assert "HTML" in response.json()["detail"]
    assert _count(session) == 1  # only the world's


def test_api_size_limit(
    world: dict[str, Any], client: Any, session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(get_settings(), "upload_max_mb", 1)
    big = png_bytes((10, 10)) + b"\0" * (1024 * 1024 + 10)
    response = client.post(
        "/api/v1/uploads",
        headers=_api(client, session, world["member"]),
        files={"file": ("big.png", big, "image/png")},
    )
    assert response.status_code == 413
    assert response.json()["detail"] == "The file is larger than 1 MB."
    assert _count(session) == 1


def test_api_delete_by_uploader_or_host(
    world: dict[str, Any], client: Any, session: Session, login: Login
) -> None:
    token = world["upload"].token
    other = client.delete(f"/api/v1/uploads/{token}", headers=_api(client, session, world["other"]))
    assert other.status_code == 403
    outsider = client.delete(
        f"/api/v1/uploads/{token}", headers=_api(client, session, world["outsider"])
    )
    assert outsider.status_code == 404
    host = client.delete(f"/api/v1/uploads/{token}", headers=_api(client, session, world["host"]))
    assert host.status_code == 204
    assert _status(login, world["member"], upload_url(world["upload"])) == 404


# --- the composer's upload ---------------------------------------------------------------


def test_composer_upload_needs_the_csrf_header(world: dict[str, Any], login: Login) -> None:
    member = login(world["member"])
    files = {"file": ("a.png", png_bytes(), "image/png")}
    assert member.post("/uploads", files=files).status_code == 403
    response = member.post("/uploads", files=files, headers={"X-CSRF-Token": member.refresh_csrf()})
    assert response.status_code == 201
    assert member.get(response.json()["url"]).status_code == 200


def test_composer_upload_errors_are_json(world: dict[str, Any], login: Login) -> None:
    member = login(world["member"])
    response = member.post(
        "/uploads",
        files={"file": ("x.svg", b"<svg onload='x()'></svg>", "image/svg+xml")},
        headers={"X-CSRF-Token": member.refresh_csrf()},
    )
    assert response.status_code == 415
    assert "SVG" in response.json()["detail"]


def test_a_body_past_the_limit_is_cut_off_while_streaming(
    world: dict[str, Any], client: Any, session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(get_settings(), "upload_max_mb", 1)
    headers = _api(client, session, world["member"])

    def chunks():  # type: ignore[no-untyped-def]
        # No Content-Length (chunked): only counting the bytes as they come can stop it.
        yield b'--b\r\nContent-Disposition: form-data; name="file"; filename="x.bin"\r\n\r\n'
        for _ in range(40):
            yield b"\0" * (256 * 1024)
        yield b"\r\n--b--\r\n"

    response = client.post(
        "/api/v1/uploads",
        headers={**headers, "Content-Type": "multipart/form-data; boundary=b"},
        content=chunks(),
    )
    assert response.status_code == 413
    assert _count(session) == 1


def test_a_hidden_comment_shows_its_files_to_author_and_hosts_only(
    world: dict[str, Any], login: Login, session: Session
) -> None:
    upload = make_upload(session, user=world["other"])
    comment = make_comment(
        session, author=world["other"], post=world["post"], body=f"![c]({upload_url(upload)})"
    )
    comment.hidden_at = utcnow()
    session.add(comment)
    session.commit()
    assert _status(login, world["member"], upload_url(upload)) == 404
    assert _status(login, world["other"], upload_url(upload)) == 200
    assert _status(login, world["host"], upload_url(upload)) == 200
