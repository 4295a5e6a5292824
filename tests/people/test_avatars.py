"""Profile pictures over HTTP: uploaded on the settings page (a plain form), served with an
ETag to signed-in people only, never for a deactivated person, removed by the person or an
admin; refused uploads say why and store nothing."""

import io

from PIL import Image
from sqlmodel import select

from app.core.config import get_settings
from app.images.models import StoredImage
from app.people.erasure import erase_person
from app.people.models import AuditEntry
from app.people.service import set_active
from tests.factories import make_user
from tests.images.pictures import HTML_PAGE, bomb, photo_with_gps, picture


def _upload(client, raw: bytes, name: str = "me.jpg", content_type: str = "image/jpeg"):  # type: ignore[no-untyped-def]
    return client.post(
        "/settings/avatar",
        data={"csrf_token": client.csrf},
        files={"file": (name, raw, content_type)},
        follow_redirects=False,
    )


def _images(session, person_id):  # type: ignore[no-untyped-def]
    session.expire_all()
    return session.exec(
        select(StoredImage).where(
            StoredImage.owner_id == person_id, StoredImage.owner_kind == "avatar"
        )
    ).all()


def test_a_person_uploads_a_picture_and_it_is_served_with_an_etag(session, login):
    ada = make_user(session, name="Ada Lovelace")
    client = login(ada)

    response = _upload(client, photo_with_gps())

    assert response.status_code == 303 and response.headers["location"] == "/settings?picture=saved"
    session.refresh(ada)
    assert ada.avatar_version and len(_images(session, ada.id)) == 2
    settings_page = client.get("/settings?picture=saved").text
    assert f"/people/{ada.id}/avatar/256?v={ada.avatar_version}" in settings_page

    served = client.get(f"/people/{ada.id}/avatar/64?v={ada.avatar_version}")
    assert served.status_code == 200 and served.headers["content-type"] == "image/webp"
    assert Image.open(io.BytesIO(served.content)).size == (64, 64)
    assert not Image.open(io.BytesIO(served.content)).getexif()
    assert served.headers["x-content-type-options"] == "nosniff"
    assert "sandbox" in served.headers["content-security-policy"]
    assert served.headers["cache-control"].startswith("private")
    again = client.get(
        f"/people/{ada.id}/avatar/64", headers={"If-None-Match": served.headers["etag"]}
    )
    assert again.status_code == 304 and again.content == b""


def test_the_large_size_is_served(session, login):
    ada = make_user(session)
    client = login(ada)
    _upload(client, picture("PNG", (900, 300)), "wide.png", "image/png")
    served = client.get(f"/people/{ada.id}/avatar/256")
    assert Image.open(io.BytesIO(served.content)).size == (256, 256)


def test_html_named_png_is_refused_with_a_message_and_nothing_is_stored(session, login):
    ada = make_user(session)
    client = login(ada)

    response = _upload(client, HTML_PAGE, "cat.png", "image/png")

    assert response.status_code == 422
    assert "This file is not a picture" in response.text
    assert 'aria-invalid="true"' in response.text
    session.refresh(ada)
    assert ada.avatar_version is None and _images(session, ada.id) == []


def test_a_bomb_is_refused(session, login):
    ada = make_user(session)
    client = login(ada)
    response = _upload(client, bomb(12_000, 12_000), "big.png", "image/png")
    assert response.status_code == 422 and "too large" in response.text
    assert _images(session, ada.id) == []


def test_a_file_over_the_size_limit_is_refused_with_the_limit(session, login, monkeypatch):
    monkeypatch.setattr(get_settings(), "upload_max_mb", 1)
    ada = make_user(session)
    client = login(ada)
    response = _upload(client, b"\xff\xd8" + b"0" * 1_200_000)
    assert response.status_code == 422
    assert "The file is too large (at most 1 MB)." in response.text


def test_an_empty_form_asks_for_a_picture(session, login):
    client = login(make_user(session))
    response = client.post("/settings/avatar", data={"csrf_token": client.csrf})
    assert response.status_code == 422 and "Choose a picture" in response.text


def test_uploading_needs_the_csrf_token(session, login):
    ada = make_user(session)
    client = login(ada)
    response = client.post("/settings/avatar", files={"file": ("a.png", picture("PNG"))})
    assert response.status_code == 403
    assert _images(session, ada.id) == []


def test_without_a_picture_the_generated_face_is_served(session, login):
    ada = make_user(session, name="Ada Lovelace")
    client = login(make_user(session))
    served = client.get(f"/people/{ada.id}/avatar/64")
    assert served.status_code == 200 and served.headers["content-type"] == "image/svg+xml"
    assert b">AL</text>" in served.content and b"<script" not in served.content
    assert "sandbox" in served.headers["content-security-policy"]


def test_signed_out_visitors_get_no_picture(session, login, client):
    ada = make_user(session)
    _upload(login(ada), picture())
    response = client.get(f"/people/{ada.id}/avatar/64", follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"].startswith("/login")


def test_a_deactivated_persons_picture_is_not_served_or_shown(session, login):
    admin, ada = make_user(session, admin=True), make_user(session, name="Ada Lovelace")
    _upload(login(ada), picture())
    session.refresh(ada)
    version = ada.avatar_version
    viewer = login(admin)

    set_active(session, user=ada, active=False, actor=admin)
    session.commit()

    served = viewer.get(f"/people/{ada.id}/avatar/64?v={version}")
    assert served.headers["content-type"] == "image/svg+xml"  # initials, not the picture
    assert f"avatar/64?v={version}" not in viewer.get("/admin/people").text


def test_unknown_people_and_odd_sizes_are_not_found_or_refused(session, login):
    client = login(make_user(session))
    assert client.get("/people/999999/avatar/64").status_code == 404
    assert client.get("/people/1/avatar/4").status_code == 422
    assert client.get("/people/1/avatar/100").status_code == 422  # only the widths made


def test_a_person_removes_their_picture(session, login):
    ada = make_user(session)
    client = login(ada)
    _upload(client, picture())

    response = client.form("/settings/avatar/delete")

    assert response.status_code == 303
    session.refresh(ada)
    assert ada.avatar_version is None and _images(session, ada.id) == []


def test_an_admin_removes_someones_picture_and_it_is_audited(session, login):
    admin, ada = make_user(session, admin=True), make_user(session, name="Ada")
    _upload(login(ada), picture())
    client = login(admin)
    assert f"/admin/people/{ada.id}/avatar/delete" in client.get("/admin/people").text

    response = client.form(f"/admin/people/{ada.id}/avatar/delete")

    assert response.status_code == 303
    session.refresh(ada)
    assert ada.avatar_version is None and _images(session, ada.id) == []
    entry = session.exec(select(AuditEntry).where(AuditEntry.action == "user.avatar_removed")).one()
    assert entry.actor_id == admin.id and entry.target_id == ada.id


def test_only_admins_remove_other_peoples_pictures(session, login):
    ada, bob = make_user(session), make_user(session)
    _upload(login(ada), picture())
    response = login(bob).form(f"/admin/people/{ada.id}/avatar/delete")
    assert response.status_code in (403, 404)
    assert len(_images(session, ada.id)) == 2


def test_an_erased_persons_pictures_are_deleted_with_the_account(session, login):
    admin = make_user(session, name="Admin", admin=True)
    ada = make_user(session, name="Ada Lovelace")
    assert _upload(login(ada), picture()).status_code == 303
    ada_id = ada.id
    assert len(_images(session, ada_id)) == 2

    erase_person(session, user=ada, content="keep", actor=admin)
    session.commit()

    assert _images(session, ada_id) == []
