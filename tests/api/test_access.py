"""The access walk: every read path of the API as outsider, member, host and admin.

Private and secret content must never reach someone who may not read it: not its title, not its
text, not its comments, by no endpoint. A secret space does not even show its name.
"""

from dataclasses import dataclass

import pytest

from app.posts.models import Comment, Post
from app.spaces.models import Space
from tests.api.helpers import fresh
from tests.factories import make_comment, make_post, make_space, make_user

ROLES = ("outsider", "member", "host", "admin")
VISIBILITIES = ("public", "private", "secret")


@dataclass
class Place:
    space: Space
    post: Post
    comment: Comment
    marks: tuple[str, ...]  # strings that only this space's content contains


@pytest.fixture
def world(session):  # type: ignore[no-untyped-def]
    people = {
        "host": make_user(session, name="Hal Host"),
        "member": make_user(session, name="Mia Member"),
        "outsider": make_user(session, name="Otto Outsider"),
        "admin": make_user(session, name="Ada Admin", admin=True),
    }
    places = {}
    for visibility in VISIBILITIES:
        space = make_space(
            session,
            host=people["host"],
            visibility=visibility,
            members=(people["member"],),
            name=f"Room {visibility} kx7",
        )
        # Announcements: the home stream shows public ones to everybody, so the feed is tested too.
        post = make_post(
            session,
            author=people["host"],
            space=space,
            title=f"Title {visibility} q9z",
            body=f"Text {visibility} w3v",
            kind="announcement",
        )
        comment = make_comment(
            session, author=people["member"], post=post, body=f"Comment {visibility} r5t"
        )
        marks = (post.title, post.body, comment.body)
        places[visibility] = Place(space=space, post=post, comment=comment, marks=marks)
    return people, places


def _may_know(visibility: str, role: str) -> bool:
    return visibility != "secret" or role in ("member", "host")


def _may_read(visibility: str, role: str) -> bool:
    return visibility == "public" or role in ("member", "host")


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("visibility", VISIBILITIES)
def test_every_read_endpoint_shows_exactly_what_the_role_may_see(
    session, api, world, visibility, role
):
    people, places = world
    place = places[visibility]
    slug, post_id = place.space.slug, place.post.id
    client = api(people[role])
    knows, reads = _may_know(visibility, role), _may_read(visibility, role)

    directory = client.get("/api/v1/spaces", params={"limit": 100})
    space = client.get(f"/api/v1/spaces/{slug}")
    posts = client.get(f"/api/v1/spaces/{slug}/posts")
    post = client.get(f"/api/v1/posts/{post_id}")
    comments = client.get(f"/api/v1/posts/{post_id}/comments")
    feed = client.get("/api/v1/feed", params={"limit": 100})

    assert (slug in [s["slug"] for s in directory.json()["items"]]) is knows
    assert space.status_code == (200 if knows else 404)
    assert posts.status_code == post.status_code == comments.status_code == (200 if reads else 404)
    assert (place.post.title in feed.text) is reads
    if reads:
        assert [p["title"] for p in posts.json()["items"]] == [place.post.title]
        assert post.json()["body"] == place.post.body
        assert [c["body"] for c in comments.json()["items"]] == [place.comment.body]
        return
    responses = [directory, space, posts, post, comments, feed]
    for response in responses:
        for mark in place.marks:
            assert mark not in response.text, (response.url, mark)
    if not knows:
        for response in responses:
            assert place.space.name not in response.text
            assert slug not in response.text
    # A hidden post answers exactly like one that never existed.
    unknown = client.get("/api/v1/posts/999999")
    assert post.json() == comments.json() == unknown.json() == {"detail": "Post not found"}


@pytest.mark.parametrize("role", ["outsider", "admin"])
@pytest.mark.parametrize("visibility", ["private", "secret"])
def test_writes_to_unreadable_content_answer_404_and_change_nothing(
    session, api, world, visibility, role
):
    people, places = world
    place = places[visibility]
    post_id = place.post.id
    client = api(people[role])

    responses = [
        client.patch(f"/api/v1/posts/{post_id}", json={"title": "Taken over"}),
        client.patch(f"/api/v1/posts/{post_id}", json={"pinned": True}),
        client.delete(f"/api/v1/posts/{post_id}"),
        client.post(f"/api/v1/posts/{post_id}/comments", json={"body": "hello"}),
        client.post(f"/api/v1/posts/{post_id}/reactions", json={"kind": "like"}),
        client.delete(f"/api/v1/posts/{post_id}/reactions/like"),
        client.post(
            f"/api/v1/spaces/{place.space.slug}/posts", json={"title": "Mine", "body": "x"}
        ),
    ]

    assert [r.status_code for r in responses] == [404] * len(responses)
    for response in responses:
        for mark in place.marks:
            assert mark not in response.text
    stored = fresh(session, Post, post_id)
    assert (stored.title, stored.deleted_at, stored.pinned_at) == (place.post.title, None, None)
    assert stored.comment_count == 1


@pytest.mark.parametrize("role", ["outsider", "admin"])
def test_a_secret_space_is_404_for_every_space_endpoint(session, api, world, role):
    people, places = world
    slug = places["secret"].space.slug
    client = api(people[role])

    responses = [
        client.get(f"/api/v1/spaces/{slug}"),
        client.patch(f"/api/v1/spaces/{slug}", json={"name": "Found it"}),
        client.post(f"/api/v1/spaces/{slug}/join"),
        client.post(f"/api/v1/spaces/{slug}/members", json={"email": people[role].email}),
        client.get(f"/api/v1/spaces/{slug}/posts"),
    ]

    assert [r.status_code for r in responses] == [404] * len(responses)
    assert fresh(session, Space, places["secret"].space.id).name == "Room secret kx7"
