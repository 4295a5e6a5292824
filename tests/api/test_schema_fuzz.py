"""Schemathesis over the API's own OpenAPI document: for every operation, generated requests
(valid and invalid per the schema) must never answer 5xx, and every answer must be what the
document says: a documented status, content type and body shape.

Path parameters name data that exists (a space, a post, a comment, an event, a protocol, a
flag, an action item), so the generated bodies and query strings reach the real code rather
than a 404; ids out of range are tested route by route in tests/test_bad_ids.py. The number of
examples is kept small (15 per operation, generated from a fixed seed) so the whole run stays
within about a minute on a slow machine.
"""

from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis import checks
from sqlmodel import Session, select

from app.api.router import api_app
from app.moderation.service import flag_post
from app.protocols import service as protocols
from app.protocols.models import ActionItem
from app.spaces.access import access_for
from tests.events.factories import make_event
from tests.factories import make_comment, make_post, make_space, make_token, make_user

# The live stream never ends by itself: tests/live/test_stream.py checks it on a real server.
schema = schemathesis.openapi.from_asgi("/openapi.json", api_app).exclude(path="/live")

CHECKS = [
    checks.not_a_server_error,
    checks.status_code_conformance,
    checks.content_type_conformance,
    checks.response_schema_conformance,
]


@pytest.fixture
def existing(session: Session) -> dict[str, Any]:
    """One of everything, owned by an admin who hosts the space (so every branch is open)."""
    admin = make_user(session, admin=True)
    member = make_user(session)
    space = make_space(session, host=admin, members=(member,))
    post = make_post(session, author=member, space=space)
    comment = make_comment(session, author=member, post=post)
    event = make_event(session, host=admin, space=space)
    protocol = protocols.create_protocol(
        session,
        access=access_for(session, admin, space),
        title="Weekly",
        text="# Weekly\n\n- [ ] @" + admin.handle + " send the notes\n",
    )
    flag = flag_post(session, user=admin, post_id=post.id, reason="Testing the queue")  # type: ignore[arg-type]
    session.commit()
    item = session.exec(select(ActionItem).where(ActionItem.protocol_id == protocol.id)).first()
    return {
        "token": make_token(session, user=admin),
        "slug": space.slug,
        "post": post.id,
        "comment": comment.id,
        "event": event.id,
        "protocol": protocol.id,
        "flag": flag.id,
        "item": item.id if item else 1,
        "user": member.id,
    }


def _real_path_parameters(case: Any, existing: dict[str, Any]) -> None:
    params = case.path_parameters or {}
    path = case.path
    known = {
        "slug": existing["slug"],
        "post_id": existing["post"],
        "comment_id": existing["comment"],
        "event_id": existing["event"],
        "protocol_id": existing["protocol"],
        "flag_id": existing["flag"],
        "item_id": existing["item"],
    }
    for name in params:
        if name in known:
            params[name] = known[name]
        elif name == "id":
            params[name] = existing["user"] if path.startswith("/users/") else existing["post"]


@pytest.mark.filterwarnings("ignore::hypothesis.errors.NonInteractiveExampleWarning")
@schema.parametrize()
@settings(
    max_examples=15,
    deadline=None,
    # The same examples on every run: a red build means a change broke something, not luck.
    # (Run with derandomize=False locally to explore further.)
    derandomize=True,
    database=None,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.filter_too_much,
        HealthCheck.data_too_large,
    ],
)
def test_the_api_keeps_its_documented_promises(case, existing):
    _real_path_parameters(case, existing)
    case.call_and_validate(headers={"Authorization": f"Bearer {existing['token']}"}, checks=CHECKS)


# What the fuzzing found, pinned as plain tests.


def test_a_body_that_is_not_utf8_is_a_documented_422(session, client, existing):
    response = client.post(
        f"/api/v1/posts/{existing['post']}/reactions",
        content=b"\xff\x17\x7f",
        headers={
            "Authorization": f"Bearer {existing['token']}",
            "Content-Type": "application/json",
        },
    )
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body"]


def test_the_document_tells_calendars_conflicts_and_budgets():
    document = api_app.openapi()
    ics = document["paths"]["/events/{event_id}.ics"]["get"]["responses"]
    assert list(ics["200"]["content"]) == ["text/calendar"]
    assert list(ics["404"]["content"]) == ["application/json"]
    assert "409" in document["paths"]["/protocols/{protocol_id}"]["put"]["responses"]
    assert "409" in document["paths"]["/moderation/flags/{flag_id}"]["post"]["responses"]
    assert "429" in document["paths"]["/kudos"]["post"]["responses"]
