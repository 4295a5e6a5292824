"""Community pages walked as outsider, member, host and admin: closed content never leaks.

The world has a flagged, showcased post and a scheduled post in a private and in a secret space.
"""

from datetime import timedelta

import pytest

from app.core.db import utcnow
from app.moderation.service import flag_comment, flag_post
from app.posts.service import create_post
from app.showcase.service import feature_post, suggest_post
from app.spaces.access import access_for
from tests.factories import make_comment, make_post, make_space, make_user

ROLES = ("outsider", "member", "host", "admin")
PAGES = (
    "/",
    "/showcase",
    "/moderation",
    "/admin/health",
    "/welcome",
    "/about/visibility",
    "/me/data",
    "/me/data.json",
    "/notifications",
)


@pytest.fixture
def world(session):
    host = make_user(session, name="Hosting Hanna")
    member = make_user(session, name="Member Max")
    extra = [make_user(session) for _ in range(4)]
    people = {
        "host": host,
        "member": member,
        "outsider": make_user(session, name="Outsider Olga"),
        "admin": make_user(session, name="Admin Ada", admin=True),
    }
    spaces = {}
    for visibility in ("private", "secret"):
        space = make_space(
            session,
            host=host,
            visibility=visibility,
            members=(member, *extra),
            name=f"{visibility.title()} Room",
        )
        post = make_post(session, author=member, space=space, title=f"TITLE-{visibility}")
        comment = make_comment(session, author=extra[0], post=post, body=f"COMMENT-{visibility}")
        flag_post(session, user=extra[1], post_id=post.id, reason=f"REASON-{visibility}")
        flag_comment(session, user=member, comment_id=comment.id, reason=f"CFLAG-{visibility}")
        feature_post(session, user=host, post_id=post.id, tags=[f"tag{visibility}"])
        other = make_post(session, author=extra[2], space=space, title=f"SUGGESTED-{visibility}")
        suggest_post(session, user=member, post_id=other.id, note=f"NOTE-{visibility}")
        create_post(
            session,
            access=access_for(session, host, space),
            title=f"SCHEDULED-{visibility}",
            body="later",
            publish_at=utcnow() + timedelta(hours=3),
        )
        session.commit()
        spaces[visibility] = space
    return {"people": people, "spaces": spaces}


@pytest.mark.parametrize("role", ROLES)
def test_community_pages_show_closed_content_only_to_members(world, login, role):
    client = login(world["people"][role])
    text = "\n".join(client.get(path).text for path in PAGES)
    for visibility in ("private", "secret"):
        secrets = [
            f"TITLE-{visibility}",
            f"COMMENT-{visibility}",
            f"REASON-{visibility}",
            f"tag{visibility}",
            f"SUGGESTED-{visibility}",
            f"NOTE-{visibility}",
        ]
        for secret in secrets:
            if role == "host":  # the host moderates: queue, suggestions, showcase
                assert secret in text, (role, secret)
            elif role in ("outsider", "admin"):
                assert secret not in text, (role, secret)
        if role == "member":  # not a moderator: others' flags stay hidden, their own are exported
            assert f"REASON-{visibility}" not in text
            assert f"CFLAG-{visibility}" in text
        assert f"SCHEDULED-{visibility}" not in text or role == "host"
        assert (f"TITLE-{visibility}" in text) == (role in ("member", "host"))


@pytest.mark.parametrize("role", ["outsider", "admin"])
def test_space_community_pages_of_closed_spaces_are_not_found(world, login, role):
    client = login(world["people"][role])
    for visibility, space in world["spaces"].items():
        for suffix in ("prompts", "prompts/new", "prompts/suggestions", "scheduled", "health"):
            response = client.get(f"/spaces/{space.slug}/{suffix}")
            assert response.status_code == 404, (visibility, suffix)
            assert "TITLE-" not in response.text and "SCHEDULED-" not in response.text
        assert client.get(f"/moderation?space={space.slug}").status_code == 404


def test_a_member_sees_only_their_own_scheduled_posts(world, login):
    client = login(world["people"]["member"])
    page = client.get(f"/spaces/{world['spaces']['private'].slug}/scheduled")
    assert page.status_code == 200
    assert "SCHEDULED-private" not in page.text
