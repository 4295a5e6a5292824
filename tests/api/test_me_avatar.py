"""PUT and DELETE /api/v1/me/avatar: the same checks as the settings page, as JSON."""

from tests.factories import make_user
from tests.images.pictures import SVG_WITH_SCRIPT, picture


def test_put_sets_the_picture_and_delete_removes_it(session, api):
    ada = make_user(session)
    client = api(ada)

    put = client.put("/api/v1/me/avatar", files={"file": ("me.png", picture("PNG"), "image/png")})

    assert put.status_code == 200, put.text
    version = put.json()["version"]
    assert put.json()["avatar_url"] == f"/people/{ada.id}/avatar/256?v={version}"
    assert client.get("/api/v1/me").json()["avatar_url"] == put.json()["avatar_url"]

    assert client.delete("/api/v1/me/avatar").status_code == 204
    assert client.get("/api/v1/me").json()["avatar_url"] == f"/people/{ada.id}/avatar/256"


def test_put_refuses_an_svg_with_a_clear_message(session, api):
    response = api(make_user(session)).put(
        "/api/v1/me/avatar", files={"file": ("me.png", SVG_WITH_SCRIPT, "image/png")}
    )
    assert response.status_code == 422
    assert "not a picture" in response.text


def test_put_needs_a_token(api):
    response = api().put("/api/v1/me/avatar", files={"file": ("a.png", picture("PNG"))})
    assert response.status_code == 401
