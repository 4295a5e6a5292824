"""No id a client can type makes the server fail.

Every registered route of both apps (pages and API, WebSocket included) with an id in its path is
called with ids that no row can have: 0, -1, one past PostgreSQL's integer and one past SQLite's
64 bits. Each must answer 4xx (a clean error page or JSON), never 5xx, on SQLite and PostgreSQL.
A new route that forgets the shared `Id` type fails here.
"""

import re
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.routing import APIRoute, APIWebSocketRoute, iter_route_contexts
from starlette.websockets import WebSocketDisconnect

from app.api.router import api_app
from app.main import create_app
from tests.events.factories import local_day, make_event, soon
from tests.factories import make_space, make_token, make_user

BAD_IDS = (0, -1, 2**31, 2**63)
# The largest id that can exist: it must reach the lookup and answer 404, which shows the request
# was otherwise valid (a 422 for a missing body field would hide the id's own check).
LAST_ID = 2**31 - 1
# Path parameters that are not ids get a real value, so the id is what the route trips over.
OTHER_VALUES = {
    "slug": "{slug}",
    "day": "{day}",
    "handle": "{handle}",
    "token": "not-a-token",
    "code": "not-a-code",
    "kind": "like",
    "action": "remove",
    "width": "64",
}
# Valid form fields, so a page's answer is about the id.
WEB_FORMS = {
    "/events/{event_id}/rsvp": {"status": "going"},
    "/date-polls/{poll_id}/event": {"option_id": "1"},
    "/moderation/flags/{flag_id}": {"action": "dismiss"},
    "/posts/{post_id}/reactions": {"kind": "like"},
}
# Valid JSON bodies, so an API route's answer is about the id.
API_BODIES = {
    ("POST", "/api/v1/posts/{id}/comments"): {"body": "Hello"},
    ("POST", "/api/v1/posts/{id}/reactions"): {"kind": "like"},
    ("POST", "/api/v1/events/{event_id}/rsvp"): {"status": "going"},
    ("POST", "/api/v1/posts/{post_id}/flags"): {"reason": "Spam"},
    ("POST", "/api/v1/comments/{comment_id}/flags"): {"reason": "Spam"},
    ("POST", "/api/v1/moderation/flags/{flag_id}"): {"action": "dismiss"},
    ("POST", "/api/v1/posts/{post_id}/showcase"): {"tags": ["howto"]},
    ("POST", "/api/v1/users/{id}/leader"): {"is_leader": True},
    ("PUT", "/api/v1/protocols/{protocol_id}"): {"text": "# Notes", "base_version": 0},
    ("PATCH", "/api/v1/action-items/{item_id}"): {"done": True},
    ("PUT", "/api/v1/date-polls/{poll_id}/answers"): {"answers": {"1": "yes"}},
    ("POST", "/api/v1/date-polls/{poll_id}/event"): {"option_id": 1},
    ("POST", "/api/v1/posts/{id}/poll"): {"question": "Q", "options": ["a", "b"]},
    ("PUT", "/api/v1/polls/{poll_id}/vote"): {"option_ids": [1]},
}


def _id_params(route: APIRoute | APIWebSocketRoute, path: str) -> set[str]:
    """Path parameters named like ids, and any other one the endpoint takes as an integer."""
    names = set(re.findall(r"{(\w+)}", path))
    typed_int = {
        field.alias
        for field in route.dependant.path_params
        if field.field_info.annotation in (int, int | None)
    }
    return {n for n in names if n == "id" or n.endswith("_id")} | (typed_int & names)


def _routes(application: FastAPI, prefix: str) -> Iterator[tuple[str, str, frozenset[str]]]:
    """(method, path, id parameters) of every route whose path holds an id."""
    for context in iter_route_contexts(application.routes):
        route = context.original_route
        if not isinstance(route, APIRoute | APIWebSocketRoute):
            continue
        path = prefix + (context.path or "")
        ids = _id_params(route, path)
        if not ids:
            continue
        methods = sorted(context.methods or ()) if isinstance(route, APIRoute) else ["WEBSOCKET"]
        for method in methods:
            yield method, path, frozenset(ids)


def _name(value: object) -> str:
    return ",".join(sorted(value)) if isinstance(value, frozenset) else str(value)


WEB_ROUTES = sorted(set(_routes(create_app(), "")), key=lambda r: (r[1], r[0]))
API_ROUTES = sorted(set(_routes(api_app, "/api/v1")), key=lambda r: (r[1], r[0]))


def test_the_walk_sees_the_routes_with_ids():
    # Guards the walk itself: were routes not found (a FastAPI change), the test below would pass.
    assert len(WEB_ROUTES) > 50
    assert len(API_ROUTES) > 15
    assert (
        "WEBSOCKET",
        "/api/v1/protocols/{protocol_id}/sync",
        frozenset({"protocol_id"}),
    ) in API_ROUTES
    assert ("GET", "/posts/{post_id}", frozenset({"post_id"})) in WEB_ROUTES


@pytest.fixture
def world(session):
    admin = make_user(session, admin=True, name="Admin Ada")
    space = make_space(session, host=admin)
    event = make_event(session, host=admin, space=space, start=soon(48))
    return {
        "admin": admin,
        "slug": space.slug,
        "day": local_day(event).isoformat(),
        "handle": admin.handle,
    }


def _url(path: str, ids: frozenset[str], bad: int, world) -> str:
    def fill(match: re.Match[str]) -> str:
        name = match.group(1)
        if name in ids:
            return str(bad)
        assert name in OTHER_VALUES, f"add a value for {{{name}}} to OTHER_VALUES ({path})"
        return OTHER_VALUES[name].format(**world)

    return re.sub(r"{(\w+)}", fill, path)


@pytest.mark.parametrize(("method", "path", "ids"), WEB_ROUTES, ids=_name)
def test_pages_answer_4xx_for_ids_out_of_range(login, world, method, path, ids):
    client = login(world["admin"])
    for bad in BAD_IDS:
        url = _url(path, ids, bad, world)
        if method == "GET":
            response = client.get(url, follow_redirects=False)
        else:
            response = client.form(url, WEB_FORMS.get(path, {}))
        assert 400 <= response.status_code < 500, (method, url, response.status_code)
    url = _url(path, ids, LAST_ID, world)
    response = client.get(url) if method == "GET" else client.form(url, WEB_FORMS.get(path, {}))
    assert response.status_code == 404, (method, url, response.status_code)


@pytest.mark.parametrize(("method", "path", "ids"), API_ROUTES, ids=_name)
def test_api_answers_4xx_for_ids_out_of_range(client, session, world, method, path, ids):
    token = make_token(session, user=world["admin"])
    client.headers["Authorization"] = f"Bearer {token}"
    for bad in BAD_IDS:
        url = _url(path, ids, bad, world)
        if method == "WEBSOCKET":
            # Refused during the handshake, before any database work.
            with (
                pytest.raises(WebSocketDisconnect) as refused,
                client.websocket_connect(url),
            ):
                pass
            assert refused.value.code in (1008, 4404), (url, refused.value.code)
            continue
        response = client.request(method, url, **_body(method, path))
        assert 400 <= response.status_code < 500, (method, url, response.status_code)
        assert response.headers["content-type"].startswith("application/json"), url
    if method != "WEBSOCKET":
        url = _url(path, ids, LAST_ID, world)
        response = client.request(method, url, **_body(method, path))
        assert response.status_code == 404, (method, url, response.status_code, response.text)


def _body(method: str, path: str) -> dict[str, Any]:
    if method not in ("POST", "PUT", "PATCH"):
        return {}
    return {"json": API_BODIES.get((method, path), {})}


# Ids and counters outside the path: query strings and form fields, same rule.
FIELD_CASES = [
    ("GET", "/kudos/new?to={bad}", None),
    ("GET", "/kudos/new?to={admin_id}&post_id={bad}", None),
    ("GET", "/kudos/new?to={admin_id}&protocol_id={bad}", None),
    ("POST", "/kudos", {"to": "{bad}", "message": "Thanks"}),
    (
        "POST",
        "/kudos",
        {"to": "{admin_id}", "message": "Thanks", "target_type": "post", "target_id": "{bad}"},
    ),
    ("POST", "/admin/recognition/awards", {"badge_id": "{bad}", "email": "x@example.com"}),
    ("GET", "/protocols/{protocol_id}/diff?a={bad}&b=1", None),
    ("POST", "/protocols/{protocol_id}/restore", {"number": "{bad}"}),
    ("POST", "/protocols/{protocol_id}/edit", {"text": "# x", "base_version": "{bad}"}),
]


@pytest.fixture
def protocol_id(session, world):
    from sqlmodel import select

    from app.protocols import service
    from app.spaces.access import access_for
    from app.spaces.models import Space

    space = session.exec(select(Space).where(Space.slug == world["slug"])).one()
    protocol = service.create_protocol(
        session, access=access_for(session, world["admin"], space), title="Notes", text="# x\n"
    )
    session.commit()
    return protocol.id


@pytest.mark.parametrize(("method", "template", "data"), FIELD_CASES)
def test_ids_in_query_strings_and_forms_answer_4xx(
    login, world, protocol_id, method, template, data
):
    client = login(world["admin"])
    for bad in (*BAD_IDS, 2**64):
        values = {"bad": bad, "admin_id": world["admin"].id, "protocol_id": protocol_id}
        url = template.format(**values)
        if method == "GET":
            response = client.get(url, follow_redirects=False)
        else:
            form = {k: v.format(**values) for k, v in (data or {}).items()}
            response = client.form(url, form)
        assert 400 <= response.status_code < 500, (url, data, bad, response.status_code)
