"""Hosts see and remove a space's files; admins set the limits and see the storage used."""

import io
import os
from typing import Any

import pytest
from PIL import Image
from sqlmodel import Session

from app.uploads import admin
from app.uploads.limits import current_settings
from app.uploads.service import upload_url
from tests.factories import make_post, make_space, make_user
from tests.uploads.factories import make_upload


def _space_with_file(session: Session) -> dict[str, Any]:
    host = make_user(session, name="Hosting Hanna")
    member = make_user(session, name="Member Max")
    space = make_space(session, host=host, visibility="private", members=(member,))
    upload = make_upload(session, user=member, name="plan.png")
    make_post(session, author=member, space=space, body=f"![plan]({upload_url(upload)})")
    return {"host": host, "member": member, "space": space, "upload": upload}


def test_hosts_list_and_remove_a_spaces_files(session: Session, login: Any) -> None:
    world = _space_with_file(session)
    host = login(world["host"])
    page = host.get(f"/spaces/{world['space'].slug}/files")
    assert page.status_code == 200
    assert "plan.png" in page.text and "Member Max" in page.text
    # Its preview is the small size made on upload, not the file.
    assert f'<img class="file-thumb" src="/uploads/{world["upload"].token}/thumb"' in page.text
    response = host.form(
        f"/uploads/{world['upload'].token}/delete",
        {"back": f"/spaces/{world['space'].slug}/files"},
        follow_redirects=False,
    )
    assert response.status_code == 303
    assert response.headers["location"] == f"/spaces/{world['space'].slug}/files"
    assert "plan.png" not in host.get(f"/spaces/{world['space'].slug}/files").text
    assert login(world["member"]).get(upload_url(world["upload"])).status_code == 404


def test_members_and_outsiders_see_no_file_list(session: Session, login: Any) -> None:
    world = _space_with_file(session)
    url = f"/spaces/{world['space'].slug}/files"
    assert login(world["member"]).get(url).status_code == 403
    assert login(make_user(session)).get(url).status_code == 404
    # A private space's files stay closed to an admin who is no member, as its posts do.
    assert login(make_user(session, admin=True)).get(url).status_code == 404


def test_the_file_list_is_paged(
    session: Session, login: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    world = _space_with_file(session)
    for number in range(3):
        upload = make_upload(session, user=world["member"], name=f"more-{number}.png")
        make_post(
            session, author=world["member"], space=world["space"], body=f"![]({upload_url(upload)})"
        )
    host = login(world["host"])
    monkeypatch.setattr(admin, "PAGE_SIZE", 2)
    first = host.get(f"/spaces/{world['space'].slug}/files")
    assert first.text.count('class="card file-row"') == 2
    assert "Load more" in first.text
    cursor = first.text.split("files?cursor=")[1].split('"')[0]
    rest = host.get(
        f"/spaces/{world['space'].slug}/files?cursor={cursor}",
        headers={"HX-Request": "true", "HX-Target": "file-items"},
    )
    assert rest.text.count('class="card file-row"') == 2
    assert "<html" not in rest.text


def test_admin_sets_limits_and_sees_storage(session: Session, login: Any) -> None:
    world = _space_with_file(session)
    admin_user = make_user(session, admin=True)
    web = login(admin_user)
    page = web.get("/admin/uploads")
    assert page.status_code == 200
    assert "Member Max" in page.text and "1 file" in page.text
    response = web.form(
        "/admin/uploads",
        {"max_file_mb": "5", "allowed_groups": ["images"], "quota_mb_per_person": "1"},
        follow_redirects=False,
    )
    assert response.status_code == 303
    session.expire_all()
    limits = current_settings(session)
    assert (limits.max_file_mb, limits.allowed_groups, limits.quota_mb_per_person) == (
        5,
        "images",
        1,
    )

    member = login(world["member"])
    token = member.refresh_csrf()
    pdf = member.post(
        "/uploads",
        files={"file": ("a.pdf", b"%PDF-1.4\n%%EOF\n", "application/pdf")},
        headers={"X-CSRF-Token": token},
    )
    assert pdf.status_code == 415
    assert pdf.json()["detail"] == "Files of this type are not allowed here."
    big = member.post(
        "/uploads",
        files={"file": ("noise.png", _noise_png(700), "image/png")},
        headers={"X-CSRF-Token": token},
    )
    assert big.status_code == 413
    assert "1 MB you may store" in big.json()["detail"]


def _noise_png(side: int) -> bytes:
    """A picture that does not compress: about 1.5 MB after re-encoding too."""
    out = io.BytesIO()
    Image.frombytes("RGB", (side, side), os.urandom(side * side * 3)).save(out, "PNG")
    return out.getvalue()


def test_bad_limits_are_refused_with_a_message(session: Session, login: Any) -> None:
    web = login(make_user(session, admin=True))
    before = current_settings(session).model_dump()
    typed = {"max_file_mb": "lots", "quota_mb_per_person": "7", "allowed_groups": ["images"]}
    response = web.form("/admin/uploads", typed)
    assert response.status_code == 422
    error = response.text.split('id="max_file_mb-error"', 1)[1].split("</p>", 1)[0]
    assert "Enter a number from 1 to 100000" in error
    assert 'value="lots"' in response.text and 'value="7"' in response.text
    session.expire_all()
    assert current_settings(session).model_dump() == before


def test_only_admins_set_limits(session: Session, login: Any) -> None:
    web = login(make_user(session))
    assert web.get("/admin/uploads").status_code == 403
