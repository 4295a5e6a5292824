"""A space's header image: hosts set and remove it; it is served only to readers of the space,
with the same checks as profile pictures."""

import io

from PIL import Image
from sqlmodel import select

from app.images.models import StoredImage
from app.spaces.models import Visibility
from tests.factories import make_space, make_user
from tests.images.pictures import WINDOWS_EXE, picture


def _upload(client, slug: str, raw: bytes):  # type: ignore[no-untyped-def]
    return client.post(
        f"/spaces/{slug}/header",
        data={"csrf_token": client.csrf},
        files={"file": ("banner.jpg", raw, "image/jpeg")},
        follow_redirects=False,
    )


def _rows(session, space_id):  # type: ignore[no-untyped-def]
    session.expire_all()
    return session.exec(
        select(StoredImage).where(
            StoredImage.owner_kind == "space_header", StoredImage.owner_id == space_id
        )
    ).all()


def test_a_host_sets_a_header_image_that_members_see(session, login):
    host, member = make_user(session), make_user(session)
    space = make_space(session, host=host, members=(member,))
    response = _upload(login(host), space.slug, picture("JPEG", (1600, 900)))
    assert response.status_code == 303
    session.refresh(space)
    version = space.header_image_version
    assert version and len(_rows(session, space.id)) == 2

    reader = login(member)
    page = reader.get(f"/spaces/{space.slug}").text
    assert f"/spaces/{space.slug}/header/1280?v={version}" in page
    served = reader.get(f"/spaces/{space.slug}/header/1280?v={version}")
    assert served.status_code == 200 and served.headers["content-type"] == "image/webp"
    assert Image.open(io.BytesIO(served.content)).size == (1280, 320)
    small = reader.get(f"/spaces/{space.slug}/header/640")
    assert Image.open(io.BytesIO(small.content)).size == (640, 160)
    cached = reader.get(
        f"/spaces/{space.slug}/header/1280", headers={"If-None-Match": served.headers["etag"]}
    )
    assert cached.status_code == 304


def test_a_private_spaces_header_never_reaches_an_outsider(session, login):
    host, outsider = make_user(session), make_user(session)
    space = make_space(session, host=host, visibility=Visibility.private)
    _upload(login(host), space.slug, picture())
    client = login(outsider)
    assert client.get(f"/spaces/{space.slug}/header/640").status_code == 404
    assert "/header/" not in client.get(f"/spaces/{space.slug}").text


def test_a_secret_spaces_header_is_not_found_for_outsiders(session, login):
    host, outsider = make_user(session), make_user(session)
    space = make_space(session, host=host, visibility=Visibility.secret)
    _upload(login(host), space.slug, picture())
    assert login(outsider).get(f"/spaces/{space.slug}/header/640").status_code == 404


def test_members_who_are_not_hosts_may_not_set_it(session, login):
    host, member = make_user(session), make_user(session)
    space = make_space(session, host=host, members=(member,))
    response = _upload(login(member), space.slug, picture())
    assert response.status_code == 403
    assert _rows(session, space.id) == []


def test_a_refused_file_shows_the_form_again_with_the_reason(session, login):
    host = make_user(session)
    space = make_space(session, host=host)
    response = _upload(login(host), space.slug, WINDOWS_EXE)
    assert response.status_code == 422 and "This file is not a picture" in response.text
    session.refresh(space)
    assert space.header_image_version is None and _rows(session, space.id) == []


def test_a_host_removes_it(session, login):
    host = make_user(session)
    space = make_space(session, host=host)
    client = login(host)
    _upload(client, space.slug, picture())
    assert "Remove header image" in client.get(f"/spaces/{space.slug}/edit").text

    response = client.form(f"/spaces/{space.slug}/header/delete")

    assert response.status_code == 303
    session.refresh(space)
    assert space.header_image_version is None and _rows(session, space.id) == []
    assert client.get(f"/spaces/{space.slug}/header/640").status_code == 404
