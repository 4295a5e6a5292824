"""Every path that shows content, tried on a private and a secret space by five people.

An outsider, a former member (removed after taking calendar feeds and being mentioned), a
member, a host and an admin who is not a member. Only the member and the host may read; the
paths are every GET route of the app (pages, their htmx fragments with a keyset cursor, the JSON
API, the calendar feeds), the notifications a mention leaves, kudos and the showcase. The
policy's SQL filters are also asked directly (app/access), so a rule is proved where it lives.

tests/test_access_matrix.py walks the pages with four roles; this walk adds the fragments, the
API, the feeds and the former member, and names the secrets that kudos and showcase carry.
"""

import re
from datetime import timedelta

import pytest
from sqlmodel import col, func, select

from app.access.kudos import awards_shown_to, kudos_shown_to
from app.access.notifications import notifications_shown_to
from app.access.posts import readable_and_shown
from app.access.spaces import access_for, readable_space_ids, space_readable_by
from app.core.db import utcnow
from app.core.pagination import Cursor
from app.events.feeds import feed_token
from app.notifications.models import Notification
from app.polls.in_protocols import create_protocol_poll
from app.polls.quick import create_poll
from app.posts.models import Post
from app.protocols.service import create_protocol
from app.recognition.kudos import give_kudos
from app.recognition.models import Award, Kudos
from app.recognition.service import update_site_settings
from app.showcase.service import feature_post
from app.spaces.header_image import set_header_image
from app.spaces.models import Space
from app.spaces.service import remove_member
from app.uploads.service import upload_url
from tests.events.factories import local_day, make_event
from tests.factories import make_comment, make_post, make_space, make_token, make_user
from tests.images.pictures import picture
from tests.polls.factories import make_date_poll
from tests.route_walk import get_routes
from tests.uploads.factories import make_upload

ROLES = ("outsider", "former", "member", "host", "admin")
READERS = {"member", "host"}
VISIBILITIES = ("private", "secret")
# The fragments htmx asks for (a block name per target); a page without that block renders whole.
FRAGMENTS = (
    "stream_items",
    "comment_items",
    "upcoming_items",
    "notification_items",
    "showcase_items",
    "queue_items",
    "attendees",
    "rsvp",
    "kudos_dialog",
    "composer",
    "comment_form",
)


def _secrets(visibility: str) -> list[str]:
    kinds = (
        "TITLE", "BODY", "COMMENT", "EVENT", "PROTO", "KUDOS", "DATEPOLL", "QUICKPOLL",
        "PROTOPOLL", "FILE",
    )  # fmt: skip
    return [f"{kind}-{visibility}" for kind in kinds]


@pytest.fixture
def world(session):
    people = {
        "host": make_user(session, name="Hosting Hanna"),
        "member": make_user(session, name="Member Max"),
        "former": make_user(session, name="Former Fritz"),
        "outsider": make_user(session, name="Outsider Olga"),
        "admin": make_user(session, name="Admin Ada", admin=True),
    }
    host, member, former = people["host"], people["member"], people["former"]
    update_site_settings(
        session, actor=people["admin"], early_adopter_count=10, kudos_monthly_budget=20,
        thank_you_wall=True,
    )  # fmt: skip
    session.commit()
    everyone = " ".join(f"@{person.handle}" for person in people.values())
    spaces = {}
    for visibility in VISIBILITIES:
        space = make_space(
            session,
            host=host,
            visibility=visibility,
            join_policy="request" if visibility == "private" else "invite",
            members=(member, former),
            name=f"{visibility.title()} Vault",
        )
        # A file attached to the post: readable as the post is (app/access/uploads.py).
        upload = make_upload(
            session, user=member, data=f"FILE-{visibility}\n".encode(), name="notes.txt"
        )
        # Everyone is mentioned: only readers may hear of it.
        post = make_post(
            session, author=member, space=space, title=f"TITLE-{visibility}",
            body=f"BODY-{visibility} {everyone} [notes]({upload_url(upload)})",
        )  # fmt: skip
        comment = make_comment(session, author=host, post=post, body=f"COMMENT-{visibility}")
        event = make_event(session, host=host, space=space, title=f"EVENT-{visibility}")
        protocol = create_protocol(
            session, access=access_for(session, host, space), title=f"PROTO-{visibility}",
            template="blank", text=f"PROTOBODY-{visibility}\n",
        )  # fmt: skip
        give_kudos(
            session, giver=host, message=f"KUDOS-{visibility}", target_type="post",
            target_id=post.id,
        )  # fmt: skip
        feature_post(session, user=host, post_id=post.id, tags="proof")  # type: ignore[arg-type]
        quick_poll = create_poll(
            session, user=member, post_id=post.id, question=f"QUICKPOLL-{visibility}",
            options=["yes", "no"],
        )  # fmt: skip
        # A poll beside the protocol: listed on /protocols/{protocol_id}/polls.
        create_protocol_poll(
            session, user=host, protocol_id=protocol.id, question=f"PROTOPOLL-{visibility}",
            options=["yes", "no"],
        )  # fmt: skip
        date_poll, _slots = make_date_poll(
            session, host=host, space=space, title=f"DATEPOLL-{visibility}"
        )
        # Every space has a header image: the walk proves outsiders never get its bytes.
        set_header_image(session, access=access_for(session, host, space), raw=picture())
        space_feed = feed_token(session, user=former, access=access_for(session, former, space))
        session.commit()
        spaces[visibility] = {
            "space": space,
            "post": post,
            "comment": comment,
            "event": event,
            "protocol": protocol,
            "date_poll": date_poll,
            "quick_poll": quick_poll,
            "space_feed": space_feed,
            "upload": upload,
        }
    feeds = {role: feed_token(session, user=person) for role, person in people.items()}
    session.commit()
    for objects in spaces.values():
        remove_member(
            session, access=access_for(session, host, objects["space"]), user_id=former.id
        )  # type: ignore[arg-type]
    session.commit()
    return {"users": people, "spaces": spaces, "feeds": feeds}


def _fill(path: str, world, role: str, visibility: str) -> str:
    objects = world["spaces"][visibility]
    # The member wrote the post and received its kudos: their profile shows both.
    person = world["users"]["member"]
    post_or_person = (
        str(person.id) if path.startswith("/api/v1/users/") else str(objects["post"].id)
    )
    is_file = path.startswith("/uploads/")
    values = {
        "name": objects["upload"].name,
        "slug": objects["space"].slug,
        "post_id": str(objects["post"].id),
        "id": post_or_person,
        "comment_id": str(objects["comment"].id),
        "event_id": str(objects["event"].id),
        "protocol_id": str(objects["protocol"].id),
        "poll_id": str(objects["date_poll" if "/date-polls/" in path else "quick_poll"].id),
        "quick_poll_id": str(objects["quick_poll"].id),
        "day": local_day(objects["event"]).isoformat(),
        "code": "not-the-code",
        "token": objects["upload"].token if is_file else world["feeds"][role],
        "person_id": str(person.id),
        "import_id": "1",  # an admin's CSV import: no space content, admins only
        "handle": person.handle,
        "kind": "like",
        "width": "640" if "/header/" in path else "64",
    }
    return re.sub(r"{(\w+)}", lambda m: values[m.group(1)], path)


CONTENT_PARAMS = {
    "slug", "post_id", "comment_id", "event_id", "protocol_id", "poll_id", "quick_poll_id",
    "day", "code",
}  # fmt: skip
# A cursor from the future, so every keyset list runs its paged statement as well.
CURSOR = Cursor(utcnow() + timedelta(days=3650), 2**31 - 1).encode()


def _no_secret(text: str, world, visibility: str, where: str) -> None:
    for secret in _secrets(visibility):
        assert secret not in text, (where, secret)
    if visibility == "secret":
        assert world["spaces"]["secret"]["space"].name not in text, where


@pytest.mark.parametrize("visibility", VISIBILITIES)
@pytest.mark.parametrize("role", ROLES)
def test_every_path_keeps_closed_content_from_non_readers(world, login, session, role, visibility):
    user = world["users"][role]
    web = login(user)
    api_headers = {"Authorization": f"Bearer {make_token(session, user=user)}"}
    readable_text = []
    for path in get_routes():
        if path.startswith("/calendar/"):
            continue  # the feeds have their own test below
        url = _fill(path, world, role, visibility)
        is_api = path.startswith("/api/")
        names_content = bool(set(re.findall(r"{(\w+)}", path)) & CONTENT_PARAMS)
        names_content = names_content or path.startswith("/uploads/")
        if is_api:
            tries = [web.get(url, headers=api_headers, follow_redirects=False)]
        elif role in READERS:
            tries = [web.get(url, follow_redirects=False)]
        else:
            page = web.get(url, follow_redirects=False)
            paged = f"{url}?cursor={CURSOR}"
            tries = [page] + [
                web.get(paged, headers={"HX-Request": "true", "HX-Target": fragment})
                for fragment in FRAGMENTS
            ]
        for response in tries:
            where = (role, response.request.url, response.request.headers.get("hx-target"))
            assert response.status_code < 500, where
            if role in READERS:
                readable_text.append(response.text)
                continue
            _no_secret(response.text, world, visibility, str(where))
            if visibility == "secret" and names_content:
                assert response.status_code == 404, (where, response.status_code)
    if role in READERS:
        # The same walk shows a reader the content, which proves the checks above can fail.
        text = "\n".join(readable_text)
        for secret in _secrets(visibility):
            assert secret in text, (role, secret)


@pytest.mark.parametrize("visibility", VISIBILITIES)
@pytest.mark.parametrize("role", ROLES)
def test_calendar_feeds_follow_the_policy(world, client, role, visibility):
    personal = client.get(f"/calendar/{world['feeds'][role]}.ics")
    assert personal.status_code == 200
    assert (f"EVENT-{visibility}" in personal.text) == (role in READERS), role
    if role == "former":
        # The space's own feed, taken while a member, now answers like an unknown address.
        gone = client.get(f"/calendar/{world['spaces'][visibility]['space_feed']}.ics")
        assert gone.status_code == 404
        _no_secret(gone.text, world, visibility, "space feed")


@pytest.mark.parametrize("role", ROLES)
def test_notifications_reach_and_show_only_readers(world, login, session, role):
    user = world["users"][role]
    space_ids = [objects["space"].id for objects in world["spaces"].values()]
    stored = session.exec(
        select(func.count())
        .select_from(Notification)
        .where(col(Notification.user_id) == user.id, col(Notification.space_id).in_(space_ids))
    ).one()
    # A mention of someone who cannot read the space is never stored; the former member's
    # (made while a member) stays stored but is no longer shown.
    assert (stored > 0) == (role in READERS | {"former"}), role
    shown = session.exec(
        select(func.count()).select_from(Notification).where(notifications_shown_to(user.id))
    ).one()
    assert (shown > 0) == (role in READERS), role
    client = login(user)
    page = client.get("/notifications").text
    badge = client.get("/notifications/badge").text
    for visibility in VISIBILITIES:
        if role in READERS:
            assert f"TITLE-{visibility}" in page, role
        else:
            _no_secret(page + badge, world, visibility, "notifications")


@pytest.mark.parametrize("role", ROLES)
def test_the_read_rule_says_the_same_as_a_list_and_as_a_condition(world, session, role):
    """readable_space_ids (two lists, for a known person) and space_readable_by (one condition,
    for a person who may be a column) are the same rule written twice."""
    user = world["users"][role]
    as_list = set(session.exec(readable_space_ids(user)).all())
    as_condition = set(session.exec(select(Space.id).where(space_readable_by(user.id))).all())

    assert as_list == as_condition, role


@pytest.mark.parametrize("role", ROLES)
def test_the_policy_filters_answer_per_role(world, session, role):
    user = world["users"][role]
    may_read = role in READERS
    readable = set(session.exec(readable_space_ids(user)).all())
    posts = set(session.exec(select(Post.id).where(*readable_and_shown(user.id))).all())
    kudos = session.exec(select(Kudos.message).where(kudos_shown_to(user.id))).all()
    awards = set(session.exec(select(Award.space_id).where(awards_shown_to(user.id))).all())
    for visibility, objects in world["spaces"].items():
        assert (objects["space"].id in readable) == may_read, (role, visibility)
        assert (objects["post"].id in posts) == may_read, (role, visibility)
        assert (f"KUDOS-{visibility}" in kudos) == may_read, (role, visibility)
        assert objects["space"].id not in awards or may_read, (role, visibility)
