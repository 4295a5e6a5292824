"""One text rule on both engines: control characters (NUL and its kin, but not tab, newline and
carriage return) are refused with a 422 naming the field, in forms and in the API alike."""

import pytest
from fastapi import UploadFile
from fastapi.routing import iter_route_contexts
from pydantic import BaseModel
from sqlalchemy import text
from sqlmodel import select

from app.api.router import api_app
from app.api.schemas import Input
from app.core.errors import Invalid
from app.core.text import clean_text, text_problem
from app.posts.models import Comment, Post
from app.spaces.models import Space
from tests.events.factories import soon
from tests.factories import make_post, make_space, make_token, make_user

BAD = ["a\x00b", "\x00", "bell\x07", "vertical\x0btab", "escape\x1b[31m", "unit\x1fsep"]
GOOD = ["tab\there", "lines\nand\r\nmore", "ünïcödé ✓ 🎉", "zero\u200bwidth"]


@pytest.mark.parametrize("value", [*BAD, "lone \ud800 surrogate"])
def test_the_rule_refuses_control_characters(value):
    assert text_problem(value)
    with pytest.raises(Invalid) as refused:
        clean_text(value, field="title", max_length=100)
    assert refused.value.field == "title"


@pytest.mark.parametrize("value", GOOD)
def test_the_rule_keeps_ordinary_text(value):
    assert text_problem(value) is None
    assert clean_text(value, field="title", max_length=100) == value.strip()


def _no_control_characters_stored(session) -> None:
    for table, column in (("posts", "title"), ("posts", "body"), ("comments", "body")):
        rows = session.exec(text(f"SELECT {column} FROM {table}")).all()
        assert not any(text_problem(row[0]) for row in rows), (table, column)


@pytest.fixture
def world(session):
    host = make_user(session)
    space = make_space(session, host=host)
    post = make_post(session, author=host, space=space)
    return {"host": host, "space": space, "post": post}


FORM_CASES = [
    ("/spaces/{slug}/posts", {"title": "{bad}", "body": "Fine"}),
    ("/spaces/{slug}/posts", {"title": "Fine", "body": "{bad}"}),
    ("/posts/{post_id}/edit", {"title": "{bad}", "body": "Fine"}),
    ("/posts/{post_id}/comments", {"body": "{bad}"}),
    ("/spaces", {"name": "{bad}"}),
    ("/spaces", {"name": "Fine", "description": "{bad}"}),
    ("/settings", {"display_name": "{bad}"}),
    ("/spaces/{slug}/protocols", {"title": "{bad}"}),
    (
        "/spaces/{slug}/events",
        {
            "title": "{bad}",
            "starts_at": soon(48).strftime("%Y-%m-%dT%H:%M"),
            "ends_at": soon(50).strftime("%Y-%m-%dT%H:%M"),
            "timezone": "Europe/Berlin",
        },
    ),
]


@pytest.mark.parametrize(("path", "data"), FORM_CASES)
@pytest.mark.parametrize("bad", BAD[:3])
def test_forms_re_render_with_the_message(session, login, world, path, data, bad):
    client = login(world["host"])
    url = path.format(slug=world["space"].slug, post_id=world["post"].id)
    form = {key: value.replace("{bad}", bad) for key, value in data.items()}
    response = client.form(url, form)
    assert response.status_code == 422, (url, response.status_code)
    assert "Remove the control character" in response.text
    _no_control_characters_stored(session)
    spaces = session.exec(select(Space)).all()
    assert not any(text_problem(s.name) or text_problem(s.description) for s in spaces)


API_CASES = [
    ("POST", "/spaces/{slug}/posts", {"title": "{bad}", "body": "Fine"}, "title"),
    ("POST", "/spaces/{slug}/posts", {"title": "Fine", "body": "{bad}"}, "body"),
    ("PATCH", "/posts/{post_id}", {"title": "{bad}"}, "title"),
    ("POST", "/posts/{post_id}/comments", {"body": "{bad}"}, "body"),
    ("POST", "/spaces", {"name": "{bad}"}, "name"),
    ("PATCH", "/spaces/{slug}", {"description": "{bad}"}, "description"),
    ("POST", "/posts/{post_id}/flags", {"reason": "{bad} spam"}, "reason"),
    ("POST", "/posts/{post_id}/showcase", {"tags": ["fine", "{bad}"]}, "tags"),
    ("POST", "/spaces/{slug}/protocols", {"title": "{bad}"}, "title"),
    ("POST", "/kudos", {"to_user_id": 0, "message": "{bad}"}, "message"),
    (
        "POST",
        "/spaces/{slug}/events",
        {
            "title": "Fine",
            "location": "{bad}",
            "starts_at": "2030-01-01T10:00",
            "ends_at": "2030-01-01T11:00",
            "timezone": "Europe/Berlin",
        },
        "location",
    ),
]


def _fill(value, bad):
    if isinstance(value, str):
        return value.replace("{bad}", bad)
    if isinstance(value, list):
        return [_fill(item, bad) for item in value]
    return value


@pytest.mark.parametrize(("method", "path", "body", "field"), API_CASES)
@pytest.mark.parametrize("bad", BAD[:3])
def test_api_answers_422_naming_the_field(session, client, world, method, path, body, field, bad):
    other = make_user(session)
    token = make_token(session, user=world["host"])
    url = "/api/v1" + path.format(slug=world["space"].slug, post_id=world["post"].id)
    payload = {key: _fill(value, bad) for key, value in body.items()}
    if payload.get("to_user_id") == 0:
        payload["to_user_id"] = other.id
    response = client.request(
        method, url, json=payload, headers={"Authorization": f"Bearer {token}"}
    )
    assert response.status_code == 422, (url, response.text)
    detail = response.json()["detail"]
    assert any(item["loc"][:2] == ["body", field] for item in detail), detail
    assert any("control character" in item["msg"] for item in detail), detail
    _no_control_characters_stored(session)


def test_lone_surrogates_in_json_are_refused(session, client, world):
    token = make_token(session, user=world["host"])
    response = client.post(
        f"/api/v1/posts/{world['post'].id}/comments",
        content=b'{"body": "half \\ud800 a character"}',
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
    )
    assert response.status_code == 422, response.text
    assert session.exec(select(Comment)).all() == []


def test_the_flush_check_catches_a_field_no_service_checked(session, world):
    # The safety net beneath the services: the same rule for whatever an ORM object writes.
    post = session.get(Post, world["post"].id)
    post.body_html = "<p>\x00</p>"
    session.add(post)
    with pytest.raises(Invalid) as refused:
        session.flush()
    assert refused.value.field == "body_html"
    session.rollback()


def test_search_terms_and_sign_ins_with_nul_do_not_fail(session, client, login, world):
    signed_in = login(world["host"])
    slug = world["space"].slug
    assert signed_in.get(f"/spaces/{slug}/protocols?q=a%00b").status_code == 200
    token = make_token(session, user=world["host"])
    headers = {"Authorization": f"Bearer {token}"}
    assert client.get(f"/api/v1/spaces/{slug}/protocols?q=%00", headers=headers).status_code == 200
    signed_in.refresh_csrf()
    sign_in = client.post(
        "/login",
        data={
            "email": "a\x00@example.com",
            "password": "x",
            "csrf_token": client.cookies.get("agora_csrf", ""),
        },
    )
    assert sign_in.status_code < 500


def test_every_api_input_model_applies_the_rule():
    # The rule lives in Input; a body model that is not an Input would let text through.
    bodies = []
    for context in iter_route_contexts(api_app.routes):
        field = getattr(context.original_route, "body_field", None)
        if field is None:
            continue
        model = field.field_info.annotation
        if isinstance(model, type) and issubclass(model, BaseModel):
            if _only_files(model):
                continue  # multipart: its bytes are checked as a picture or a file, not as text
            bodies.append(model)
            assert issubclass(model, Input), model
    assert len(bodies) >= 10


def _only_files(model: type[BaseModel]) -> bool:
    return all(f.annotation is UploadFile for f in model.model_fields.values())
