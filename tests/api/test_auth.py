"""Bearer tokens: who gets in, who does not, and that every error is JSON without cookies."""

import pytest
from sqlmodel import select

from app.core.db import utcnow
from app.core.security import hash_token
from app.people.models import ApiToken
from app.people.service import set_active
from tests.api.helpers import ENDPOINTS, url
from tests.factories import make_post, make_space, make_user


def test_me_answers_who_the_token_belongs_to(session, api):
    me = make_user(session, name="Ada")

    response = api(me).get("/api/v1/me")

    assert response.status_code == 200
    assert response.json() == {
        "id": me.id,
        "email": me.email,
        "handle": me.handle,
        "display_name": "Ada",
        "is_admin": False,
        "is_leader": False,
        "avatar_url": f"/people/{me.id}/avatar/256",
    }


def test_me_shows_admin_and_leader_flags(session, api):
    boss = make_user(session, admin=True)
    boss.is_leader = True
    session.add(boss)
    session.commit()

    body = api(boss).get("/api/v1/me").json()

    assert (body["is_admin"], body["is_leader"]) == (True, True)


@pytest.mark.parametrize(("method", "template"), ENDPOINTS)
def test_every_endpoint_answers_401_without_a_token(session, api, method, template):
    owner = make_user(session)
    space = make_space(session, host=owner)
    post = make_post(session, author=owner, space=space)

    response = api().request(method, url(template, slug=space.slug, id=post.id, kind="like"))

    assert response.status_code == 401
    assert response.headers["www-authenticate"] == "Bearer"
    assert response.json() == {"detail": "Not authenticated"}


@pytest.mark.parametrize(
    "header",
    ["Bearer nonsense", "Bearer agora_" + "x" * 43, "Basic dXNlcjpwYXNz", "Bearer", "agora_abc"],
)
def test_a_wrong_or_malformed_token_is_401(session, api, header):
    make_user(session)

    response = api(headers={"Authorization": header}).get("/api/v1/me")

    assert response.status_code == 401
    assert response.headers["www-authenticate"].startswith("Bearer")
    assert "detail" in response.json()


def test_a_revoked_token_is_401(session, api):
    me = make_user(session)
    client = api(me)
    token = client.headers["authorization"].removeprefix("Bearer ")
    stored = session.exec(select(ApiToken).where(ApiToken.token_hash == hash_token(token))).one()
    stored.revoked_at = utcnow()
    session.add(stored)
    session.commit()

    response = client.get("/api/v1/me")

    assert response.status_code == 401
    assert response.headers["www-authenticate"] == 'Bearer error="invalid_token"'


def test_deactivating_a_person_stops_their_token_at_once(session, api):
    admin, me = make_user(session, admin=True), make_user(session)
    client = api(me)
    assert client.get("/api/v1/me").status_code == 200

    set_active(session, user=me, active=False, actor=admin)
    session.commit()

    assert client.get("/api/v1/me").status_code == 401


def test_an_inactive_account_is_refused_even_if_its_token_was_not_revoked(session, api):
    me = make_user(session)
    client = api(me)
    me.is_active = False
    session.add(me)
    session.commit()

    assert client.get("/api/v1/me").status_code == 401


def test_a_signed_in_browser_cookie_does_not_open_the_api(session, login):
    me = make_user(session)
    browser = login(me)

    response = browser.get("/api/v1/me")

    assert response.status_code == 401


def test_bearer_writes_need_no_csrf_token_and_api_answers_set_no_cookie(session, api):
    me = make_user(session)
    space = make_space(session, host=me)
    client = api(me)

    response = client.post(
        f"/api/v1/spaces/{space.slug}/posts", json={"title": "Hi", "body": "text"}
    )

    assert response.status_code == 201
    assert "set-cookie" not in response.headers
    assert not client.cookies


def test_unknown_paths_and_methods_answer_json(session, api):
    client = api(make_user(session))

    missing = client.get("/api/v1/nothing-here")
    wrong_method = client.put("/api/v1/me")

    assert missing.status_code == 404
    assert missing.json() == {"detail": "Not Found"}
    assert wrong_method.status_code == 405
    assert wrong_method.json() == {"detail": "Method Not Allowed"}


def test_an_unexpected_failure_is_a_json_500(session, api, monkeypatch):
    from app.people import api as me_module

    def broken(*_args, **_kwargs):  # type: ignore[no-untyped-def]
        raise RuntimeError("boom")

    monkeypatch.setattr(me_module.posts, "home_stream", broken)
    client = api(make_user(session), raise_server_exceptions=False)

    response = client.get("/api/v1/feed")

    assert response.status_code == 500
    assert response.json() == {"detail": "Internal server error"}


def test_a_token_from_the_agora_command_opens_the_api(session, api):
    from typer.testing import CliRunner

    from app.cli import cli

    me = make_user(session)

    result = CliRunner().invoke(cli, ["tokens", "create", me.email, "--name", "script"])

    assert result.exit_code == 0, result.output
    token = result.stdout.strip()
    assert token.startswith("agora_")
    assert api(token=token).get("/api/v1/me").json()["id"] == me.id
