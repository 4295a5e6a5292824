"""GET and PATCH /api/v1/me/notification-settings."""

from tests.factories import make_user

DEFAULTS = {
    "digest": "weekly",
    "email": {
        "mention": "immediately",
        "reply": "digest",
        "action_item": "immediately",
        "event": "immediately",
        "kudos": "digest",
        "moderation": "digest",
    },
}


def test_the_defaults(session, api):
    person = make_user(session)
    response = api(person).get("/api/v1/me/notification-settings")
    assert response.status_code == 200
    assert response.json() == DEFAULTS


def test_patch_changes_only_what_it_names(session, api):
    client = api(make_user(session))
    response = client.patch(
        "/api/v1/me/notification-settings", json={"digest": "daily", "email": {"kudos": "off"}}
    )
    assert response.status_code == 200
    expected = {"digest": "daily", "email": {**DEFAULTS["email"], "kudos": "off"}}
    assert response.json() == expected
    assert client.get("/api/v1/me/notification-settings").json() == expected


def test_bad_input_is_refused_and_changes_nothing(session, api):
    client = api(make_user(session))
    for body in (
        {"digest": "hourly"},
        {"email": {"kudos": "loud"}},
        {"email": {"everything": "off"}},
        {"colour": "blue"},
    ):
        assert client.patch("/api/v1/me/notification-settings", json=body).status_code == 422
    assert client.get("/api/v1/me/notification-settings").json() == DEFAULTS


def test_a_token_is_needed(api):
    assert api().get("/api/v1/me/notification-settings").status_code == 401
