"""The community JSON API: bearer tokens, the same rules as the pages, errors as {"detail"}."""

import pytest
from fastapi.testclient import TestClient
from sqlmodel import select

from app.moderation.models import Flag
from app.people.models import AuditEntry
from tests.factories import make_comment, make_post, make_space, make_token, make_user


@pytest.fixture
def api(app):
    with TestClient(app, base_url="http://testserver") as client:

        def call(method, path, token=None, **kwargs):
            headers = {"Authorization": f"Bearer {token}"} if token else {}
            return client.request(method, f"/api/v1{path}", headers=headers, **kwargs)

        yield call


@pytest.fixture
def world(session):
    host, author, reader = make_user(session), make_user(session), make_user(session)
    admin, outsider = make_user(session, admin=True), make_user(session)
    members = [make_user(session) for _ in range(3)]
    space = make_space(session, host=host, members=(author, reader, *members))
    post = make_post(session, author=author, space=space, title="API post")
    tokens = {
        name: make_token(session, user=u)
        for name, u in {
            "host": host,
            "author": author,
            "reader": reader,
            "admin": admin,
            "outsider": outsider,
        }.items()
    }
    return {"space": space, "post": post, "tokens": tokens, "author": author}


def test_requests_without_a_valid_token_are_401_json(api, world):
    expected = {
        None: ("Not authenticated", "Bearer"),
        "agora_wrong": ("Invalid or revoked token", 'Bearer error="invalid_token"'),
    }
    for token, (detail, challenge) in expected.items():
        response = api("GET", "/showcase", token)
        assert response.status_code == 401
        assert response.json() == {"detail": detail}
        assert response.headers["www-authenticate"] == challenge


def test_flag_review_and_decide_over_the_api(api, world, session):
    t = world["tokens"]
    post = world["post"]
    created = api("POST", f"/posts/{post.id}/flags", t["reader"], json={"reason": "spam link"})
    assert created.status_code == 201
    assert created.json()["state"] == "open"

    queue = api("GET", "/moderation/queue", t["host"]).json()
    assert [(i["post_id"], i["reasons"]) for i in queue["items"]] == [(post.id, ["spam link"])]
    assert api("GET", "/moderation/queue", t["reader"]).json()["items"] == []

    flag_id = created.json()["id"]
    decided = api(
        "POST", f"/moderation/flags/{flag_id}", t["host"], json={"action": "hide", "note": "Ads"}
    )
    assert decided.status_code == 200
    assert decided.json()["hidden"] is True and decided.json()["flags_resolved"] == 1
    assert session.exec(select(AuditEntry).where(AuditEntry.action == "moderation.hide")).one()

    again = api("POST", f"/moderation/flags/{flag_id}", t["host"], json={"action": "hide"})
    assert again.status_code == 409
    assert again.json() == {"detail": "Someone already handled these flags"}


def test_api_errors_are_json_with_the_right_status(api, world):
    t = world["tokens"]
    post = world["post"]
    bad = api("POST", f"/posts/{post.id}/flags", t["reader"], json={"reason": ""})
    assert bad.status_code == 422
    assert bad.json() == {
        "detail": [
            {
                "loc": ["body", "reason"],
                "msg": "Tell the moderators what is wrong",
                "type": "invalid",
            }
        ]
    }
    missing = api("POST", "/posts/999999/flags", t["reader"], json={"reason": "spam spam"})
    assert missing.status_code == 404
    assert missing.json() == {"detail": "Post not found"}
    own = api("POST", f"/posts/{post.id}/flags", t["author"], json={"reason": "my bad"})
    assert own.status_code == 422
    flag = api("POST", f"/posts/{post.id}/flags", t["reader"], json={"reason": "spam"}).json()
    wrong = api("POST", f"/moderation/flags/{flag['id']}", t["host"], json={"action": "nuke"})
    assert wrong.status_code == 422
    forbidden = api("POST", f"/moderation/flags/{flag['id']}", t["reader"], json={"action": "hide"})
    assert forbidden.status_code == 403
    assert "detail" in forbidden.json()


def test_comments_can_be_flagged(api, world, session):
    comment = make_comment(session, author=world["author"], post=world["post"], body="hm")
    response = api(
        "POST", f"/comments/{comment.id}/flags", world["tokens"]["reader"], json={"reason": "rude"}
    )
    assert response.status_code == 201
    assert session.exec(select(Flag)).one().target_type == "comment"


def test_closed_spaces_stay_closed_over_the_api(api, world, session):
    host = make_user(session)
    secret = make_space(session, host=host, visibility="secret")
    post = make_post(session, author=host, space=secret, title="Hush")
    t = world["tokens"]
    for token in (t["outsider"], t["admin"]):
        flag = api("POST", f"/posts/{post.id}/flags", token, json={"reason": "curious"})
        assert flag.status_code == 404
        assert api("GET", f"/spaces/{secret.slug}/health", token).status_code == 404
        assert (
            api("POST", f"/posts/{post.id}/showcase", token, json={"tags": ["x"]}).status_code
            == 404
        )
        assert "Hush" not in api("GET", "/showcase", token).text


def test_showcase_over_the_api(api, world):
    t = world["tokens"]
    post = world["post"]
    denied = api("POST", f"/posts/{post.id}/showcase", t["reader"], json={"tags": ["x"]})
    assert denied.status_code == 403
    added = api(
        "POST", f"/posts/{post.id}/showcase", t["host"], json={"tags": ["Retros", "rituals"]}
    )
    assert added.status_code == 200
    assert added.json()["tags"] == ["retros", "rituals"]
    listing = api("GET", "/showcase?tag=retros", t["outsider"]).json()
    assert [i["post_id"] for i in listing["items"]] == [post.id]
    assert api("GET", "/showcase?tag=nothing", t["outsider"]).json()["items"] == []


def test_health_over_the_api_is_aggregates_for_moderators_only(api, world):
    t = world["tokens"]
    slug = world["space"].slug
    report = api("GET", f"/spaces/{slug}/health?weeks=4", t["host"])
    assert report.status_code == 200
    body = report.json()
    assert body["too_few"] is False and body["min_group_size"] == 5
    assert len(body["weekly_posts"]) == 4 and sum(body["weekly_posts"]) == 1
    assert body["member_share"]["too_few"] is True and body["member_share"]["posts"] is None
    filtered = api("GET", f"/spaces/{slug}/health?who=hosts", t["host"]).json()
    assert filtered["too_few"] is True and filtered["weekly_posts"] is None
    assert api("GET", f"/spaces/{slug}/health", t["reader"]).status_code == 403
    assert api("GET", f"/spaces/{slug}/health?weeks=2", t["host"]).status_code == 422
    assert api("GET", "/health", t["admin"]).status_code == 200
    assert api("GET", "/health", t["host"]).status_code == 403


def test_my_data_and_scheduled_posts(api, world):
    t = world["tokens"]
    data = api("GET", "/me/data", t["author"]).json()
    assert [p["title"] for p in data["posts"]] == ["API post"]
    # The first call was recorded once its answer had gone out: the next export shows it.
    assert data["api_tokens"][0]["last_used_at"] is None
    again = api("GET", "/me/data", t["author"]).json()
    assert again["api_tokens"][0]["last_used_at"] is not None
    assert api("GET", f"/spaces/{world['space'].slug}/scheduled", t["author"]).json() == {
        "items": []
    }
