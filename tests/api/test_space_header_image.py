"""PUT and DELETE /api/v1/spaces/{slug}/header-image: hosts and admins, as on the settings page."""

from app.spaces.models import Space
from tests.api.helpers import fresh
from tests.factories import make_space, make_user
from tests.images.pictures import SVG_WITH_SCRIPT, picture

PATH = "/api/v1/spaces/{slug}/header-image"


def _put(client, slug, data=None):  # type: ignore[no-untyped-def]
    body = picture("PNG", (1600, 400)) if data is None else data
    return client.put(PATH.format(slug=slug), files={"file": ("banner.png", body, "image/png")})


def test_a_host_sets_the_header_image_and_removes_it(session, api, login):
    host = make_user(session)
    space = make_space(session, host=host, visibility="private")
    client = api(host)

    put = _put(client, space.slug)

    assert put.status_code == 200, put.text
    version = put.json()["version"]
    assert put.json()["header_image_url"] == f"/spaces/{space.slug}/header/1280?v={version}"
    assert fresh(session, Space, space.id).header_image_version == version
    banner = login(host).get(put.json()["header_image_url"])
    assert banner.status_code == 200
    assert banner.headers["content-type"] == "image/webp"

    assert client.delete(PATH.format(slug=space.slug)).status_code == 204
    assert fresh(session, Space, space.id).header_image_version is None


def test_an_admin_may_set_it_too(session, api):
    space = make_space(session, host=make_user(session))
    assert _put(api(make_user(session, admin=True)), space.slug).status_code == 200


def test_a_member_who_is_no_host_is_refused(session, api):
    member = make_user(session)
    space = make_space(session, host=make_user(session), members=(member,))
    assert _put(api(member), space.slug).status_code == 403
    assert api(member).delete(PATH.format(slug=space.slug)).status_code == 403
    assert fresh(session, Space, space.id).header_image_version is None


def test_an_outsider_of_a_secret_space_finds_nothing(session, api):
    space = make_space(session, host=make_user(session), visibility="secret")
    outsider = api(make_user(session))
    assert _put(outsider, space.slug).status_code == 404
    assert outsider.delete(PATH.format(slug=space.slug)).status_code == 404


def test_a_script_in_disguise_is_refused_with_a_clear_message(session, api):
    host = make_user(session)
    space = make_space(session, host=host)
    response = _put(api(host), space.slug, SVG_WITH_SCRIPT)
    assert response.status_code == 422
    assert "not a picture" in response.text
    assert fresh(session, Space, space.id).header_image_version is None


def test_it_needs_a_token(session, api):
    space = make_space(session, host=make_user(session))
    assert _put(api(), space.slug).status_code == 401
