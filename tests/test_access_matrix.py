"""Walk every HTML page as outsider, member, host and admin over public, private and secret spaces.

Content of a private or secret space must never reach a non-member by any path, and the answer for
what one may not see is 404 (a private space's door — its name — is listed; its room is not).
"""

import re

import pytest

from app.polls.quick import create_poll
from app.protocols.service import create_protocol
from app.recognition.service import update_site_settings
from app.spaces.access import access_for
from tests.events.factories import local_day, make_event
from tests.factories import make_comment, make_post, make_space, make_user
from tests.polls.factories import make_date_poll
from tests.route_walk import get_routes

ROLES = ("outsider", "member", "host", "admin")


@pytest.fixture
def world(session):
    host = make_user(session, name="Hosting Hanna")
    member = make_user(session, name="Member Max")
    outsider = make_user(session, name="Outsider Olga")
    admin = make_user(session, name="Admin Ada", admin=True)
    # Every optional page on, so the walk reaches it (the thank-you wall answers 404 when off).
    update_site_settings(
        session, actor=admin, early_adopter_count=10, kudos_monthly_budget=20, thank_you_wall=True
    )
    session.commit()
    spaces = {}
    for visibility in ("public", "private", "secret"):
        policy = {"public": "open", "private": "request", "secret": "invite"}[visibility]
        space = make_space(
            session,
            host=host,
            visibility=visibility,
            join_policy=policy,
            members=(member,),
            name=f"{visibility.title()} Room",
        )
        post = make_post(
            session,
            author=member,
            space=space,
            title=f"TITLE-{visibility}",
            body=f"BODY-{visibility} @{host.handle}",
        )
        comment = make_comment(
            session, author=host, post=post, body=f"COMMENT-{visibility} @{member.handle}"
        )
        event = make_event(
            session,
            host=host,
            space=space,
            title=f"EVENT-{visibility}",
            description=f"EVENTBODY-{visibility}",
        )
        protocol = create_protocol(
            session,
            access=access_for(session, host, space),
            title=f"PROTO-{visibility}",
            template="blank",
            text=f"PROTOBODY-{visibility}\n",
        )
        quick_poll = create_poll(
            session,
            user=member,
            post_id=post.id,
            question=f"QUICKPOLL-{visibility}",
            options=["yes", "no"],
        )
        date_poll, _options = make_date_poll(
            session, host=host, space=space, title=f"DATEPOLL-{visibility}"
        )
        session.commit()
        spaces[visibility] = {
            "date_poll": date_poll,
            "quick_poll": quick_poll,
            "space": space,
            "post": post,
            "comment": comment,
            "event": event,
            "protocol": protocol,
        }
    return {
        "users": {"host": host, "member": member, "outsider": outsider, "admin": admin},
        "spaces": spaces,
    }


def _get_routes():
    return get_routes()


def _fill(path, objects):
    event = objects["event"]
    return (
        path.replace("{slug}", objects["space"].slug)
        .replace("{post_id}", str(objects["post"].id))
        .replace("{comment_id}", str(objects["comment"].id))
        .replace("{event_id}", str(event.id))
        .replace("{protocol_id}", str(objects["protocol"].id))
        .replace("{poll_id}", str(objects["date_poll"].id))
        .replace("{quick_poll_id}", str(objects["quick_poll"].id))
        .replace("{day}", local_day(event).isoformat())
        .replace("{code}", "not-the-code")
        .replace("/header/{width}", "/header/640")  # a size the space header is made in
    )


# Parameters that name something inside a space: a page with one of them shows that content.
CONTENT_PARAMS = {
    "slug",
    "post_id",
    "comment_id",
    "event_id",
    "protocol_id",
    "poll_id",
    "quick_poll_id",
}


def test_every_page_route_is_covered_by_this_walk():
    # A new page with an id parameter must be added to the walk (or to the list of id-free pages).
    id_free = {
        "/",
        "/login",
        "/spaces",
        "/spaces/new",
        "/settings",
        "/notifications",
        "/notifications/badge",
        "/admin/people",
        "/healthz",
        "/ping",
    }
    # import_id: an admin's CSV import (admins only, no space content).
    # /uploads/{token}/{name}: every file URL is walked by tests/test_content_policy.py.
    known = {"person_id", "handle", "token", "day", "code", "import_id", "name", "width"}
    known_params = CONTENT_PARAMS | known
    for path in _get_routes():
        params = set(re.findall(r"{(\w+)}", path))
        assert path in id_free or params <= known_params, path


@pytest.mark.parametrize("visibility", ["private", "secret"])
@pytest.mark.parametrize("role", ROLES)
def test_no_page_leaks_closed_space_content(world, login, role, visibility):
    client = login(world["users"][role])
    objects = world["spaces"][visibility]
    may_read = role in ("member", "host")
    secrets = [
        f"TITLE-{visibility}",
        f"BODY-{visibility}",
        f"COMMENT-{visibility}",
        f"EVENT-{visibility}",
        f"PROTO-{visibility}",
        f"DATEPOLL-{visibility}",
        f"QUICKPOLL-{visibility}",
    ]
    for path in _get_routes():
        if not set(re.findall(r"{(\w+)}", path)) & CONTENT_PARAMS:
            continue
        url = _fill(path, objects)
        response = client.get(url, follow_redirects=False)
        if may_read:
            # A wrong check-in code, or a space without a header image: nothing to show.
            maybe_none = "{code}" in path or "/header/" in path
            allowed = (200, 303, 403, 404) if maybe_none else (200, 303, 403)
            assert response.status_code in allowed, (url, response.status_code)
            continue
        for secret in secrets:
            assert secret not in response.text, (role, url)
        if visibility == "secret":
            assert response.status_code == 404, (role, url, response.status_code)
            assert objects["space"].name not in response.text, (role, url)
        else:
            assert response.status_code in (200, 404, 403), (role, url, response.status_code)


@pytest.mark.parametrize("role", ROLES)
def test_lists_and_streams_show_only_readable_content(world, login, role):
    user = world["users"][role]
    client = login(user)
    pages = [
        client.get("/").text,
        client.get("/spaces").text,
        client.get("/notifications").text,
        client.get(f"/people/{world['users']['member'].id}").text,
        client.get(f"/people/{world['users']['host'].id}").text,
    ]
    for slug_space in world["spaces"].values():
        pages.append(client.get(f"/spaces/{slug_space['space'].slug}/mentions?q=").text)
    text = "\n".join(pages)
    for visibility in ("private", "secret"):
        if role in ("member", "host"):
            # Members see it in their home stream, which also proves this check can fail.
            assert f"TITLE-{visibility}" in text, role
        else:
            assert f"TITLE-{visibility}" not in text, role
            assert f"BODY-{visibility}" not in text, role
            assert f"COMMENT-{visibility}" not in text, role
    secret_name = world["spaces"]["secret"]["space"].name
    assert (secret_name in client.get("/spaces").text) == (role in ("member", "host"))


@pytest.mark.parametrize("role", ["outsider", "admin"])
def test_closed_space_mention_lookup_is_not_found_for_outsiders(world, login, role):
    client = login(world["users"][role])
    assert (
        client.get(f"/spaces/{world['spaces']['secret']['space'].slug}/mentions?q=").status_code
        == 404
    )
    private = client.get(f"/spaces/{world['spaces']['private']['space'].slug}/mentions?q=")
    assert private.status_code == 404
    assert "Member Max" not in private.text


@pytest.mark.parametrize("visibility", ["private", "secret"])
def test_outsiders_cannot_write_into_closed_spaces(world, login, visibility):
    client = login(world["users"]["outsider"])
    objects = world["spaces"][visibility]
    attempts = [
        (f"/spaces/{objects['space'].slug}/posts", {"title": "x", "body": "y"}),
        (f"/posts/{objects['post'].id}/comments", {"body": "y"}),
        (f"/posts/{objects['post'].id}/reactions", {"kind": "like"}),
        (f"/posts/{objects['post'].id}/edit", {"title": "x", "body": "y"}),
        (f"/posts/{objects['post'].id}/delete", {}),
        (f"/posts/{objects['post'].id}/pin", {}),
        (f"/comments/{objects['comment'].id}/edit", {"body": "y"}),
        (f"/comments/{objects['comment'].id}/delete", {}),
        (f"/spaces/{objects['space'].slug}/members", {"email": "a@b.cd"}),
    ]
    for url, data in attempts:
        response = client.form(url, data)
        expected = {404} if visibility == "secret" or "/spaces/" not in url else {403, 404}
        assert response.status_code in expected, (url, response.status_code)
