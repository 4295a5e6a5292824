"""Posts, comments and reactions over the API."""

from datetime import datetime

import pytest
from sqlmodel import select

from app.posts.models import Comment, Post, Reaction
from app.posts.service import set_pinned
from tests.api.helpers import fresh
from tests.factories import make_comment, make_post, make_space, make_user

# Create and read


def test_member_writes_a_post_and_reads_it_back(session, api):
    author = make_user(session, name="Ada")
    space = make_space(session, host=author)
    client = api(author)

    created = client.post(
        f"/api/v1/spaces/{space.slug}/posts",
        json={"title": "Hello", "body": "Some *Markdown*", "kind": "question"},
    )

    assert created.status_code == 201
    body = created.json()
    assert body == client.get(f"/api/v1/posts/{body['id']}").json()
    assert {k: v for k, v in body.items() if k not in ("id", "created_at", "published_at")} == {
        "space": space.slug,
        "author": {
            "id": author.id,
            "display_name": "Ada",
            "is_leader": False,
            "avatar_url": f"/people/{author.id}/avatar/256",
        },
        "kind": "question",
        "title": "Hello",
        "body": "Some *Markdown*",
        "body_html": "<p>Some <em>Markdown</em></p>\n",
        "edited_at": None,
        "pinned": False,
        "scheduled": False,
        "reactions": {},
        "my_reactions": [],
    }
    assert body["created_at"].endswith("+00:00")
    assert datetime.fromisoformat(body["created_at"]).utcoffset() is not None
    assert fresh(session, Post, body["id"]).title == "Hello"


def test_post_html_is_sanitised(session, api):
    author = make_user(session)
    space = make_space(session, host=author)

    created = api(author).post(
        f"/api/v1/spaces/{space.slug}/posts",
        json={"title": "x", "body": "<script>alert(1)</script> hi"},
    )

    assert "<script" not in created.json()["body_html"]


def test_a_non_member_may_not_post_in_a_public_space(session, api):
    host, outsider = make_user(session), make_user(session)
    space = make_space(session, host=host)

    response = api(outsider).post(
        f"/api/v1/spaces/{space.slug}/posts", json={"title": "Hi", "body": "text"}
    )

    assert response.status_code == 403
    assert response.json() == {"detail": "Join this space to post in it"}
    assert session.exec(select(Post)).first() is None


def test_only_hosts_post_announcements(session, api):
    host, member = make_user(session), make_user(session)
    space = make_space(session, host=host, members=(member,))
    payload = {"title": "News", "body": "text", "kind": "announcement"}

    assert api(member).post(f"/api/v1/spaces/{space.slug}/posts", json=payload).status_code == 403
    assert api(host).post(f"/api/v1/spaces/{space.slug}/posts", json=payload).status_code == 201


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"body": "text"}, "title"),
        ({"title": "  ", "body": "text"}, "title"),
        ({"title": "x" * 201, "body": "text"}, "title"),
        ({"title": "Hi"}, "body"),
        ({"title": "Hi", "body": ""}, "body"),
        ({"title": "Hi", "body": "x" * 20001}, "body"),
        ({"title": "Hi", "body": "text", "kind": "rant"}, "kind"),
        ({"title": ["Hi"], "body": "text"}, "title"),
        ({"title": "Hi", "body": 7}, "body"),
        ({"title": "Hi", "body": "text", "pinned": True}, "pinned"),
    ],
)
def test_writing_a_post_with_invalid_input_is_422(session, api, payload, field):
    author = make_user(session)
    space = make_space(session, host=author)

    response = api(author).post(f"/api/v1/spaces/{space.slug}/posts", json=payload)

    assert response.status_code == 422
    assert ["body", field] in [error["loc"] for error in response.json()["detail"]]
    assert session.exec(select(Post)).first() is None


def test_the_longest_allowed_title_and_body_are_accepted(session, api):
    author = make_user(session)
    space = make_space(session, host=author)

    response = api(author).post(
        f"/api/v1/spaces/{space.slug}/posts", json={"title": "t" * 200, "body": "b" * 20000}
    )

    assert response.status_code == 201


@pytest.mark.parametrize("post_id", ["999999", "0", "-1", "abc", str(2**31), str(10**30)])
def test_unknown_or_impossible_post_ids(session, api, post_id):
    response = api(make_user(session)).get(f"/api/v1/posts/{post_id}")

    expected = 404 if post_id == "999999" else 422
    assert response.status_code == expected
    assert "detail" in response.json()


def test_a_space_post_list_includes_pinned_posts_newest_first(session, api):
    host = make_user(session)
    space = make_space(session, host=host)
    first = make_post(session, author=host, space=space, title="first")
    make_post(session, author=host, space=space, title="second")
    set_pinned(session, user=host, post_id=first.id, pinned=True)
    session.commit()

    items = api(host).get(f"/api/v1/spaces/{space.slug}/posts").json()["items"]

    assert [(p["title"], p["pinned"]) for p in items] == [("second", False), ("first", True)]


def test_a_space_post_list_pages_without_gaps_or_repeats(session, api):
    host = make_user(session)
    space = make_space(session, host=host)
    for i in range(5):
        make_post(session, author=host, space=space, title=f"post {i}")
    client = api(host)

    first = client.get(f"/api/v1/spaces/{space.slug}/posts", params={"limit": 2}).json()
    rest = client.get(
        f"/api/v1/spaces/{space.slug}/posts", params={"limit": 100, "cursor": first["next_cursor"]}
    ).json()

    titles = [p["title"] for p in first["items"] + rest["items"]]
    assert titles == [f"post {i}" for i in reversed(range(5))]
    assert rest["next_cursor"] is None


def test_a_space_post_list_rejects_a_malformed_cursor(session, api):
    host = make_user(session)
    space = make_space(session, host=host)

    response = api(host).get(f"/api/v1/spaces/{space.slug}/posts", params={"cursor": "@@@"})

    assert response.status_code == 422


# Edit, pin, delete


def test_the_author_edits_title_and_body(session, api):
    author = make_user(session)
    post = make_post(session, author=author, space=make_space(session, host=author))

    response = api(author).patch(f"/api/v1/posts/{post.id}", json={"body": "**new**"})

    assert response.status_code == 200
    assert response.json()["title"] == "A post"
    assert response.json()["body_html"] == "<p><strong>new</strong></p>\n"
    assert datetime.fromisoformat(response.json()["edited_at"]).utcoffset() is not None
    assert fresh(session, Post, post.id).body == "**new**"


def test_only_the_author_edits(session, api):
    host, author = make_user(session), make_user(session)
    space = make_space(session, host=host, members=(author,))
    post = make_post(session, author=author, space=space)

    response = api(host).patch(f"/api/v1/posts/{post.id}", json={"title": "Hijacked"})

    assert response.status_code == 403
    assert fresh(session, Post, post.id).title == "A post"


def test_hosts_pin_and_members_may_not(session, api):
    host, member = make_user(session), make_user(session)
    space = make_space(session, host=host, members=(member,))
    post = make_post(session, author=member, space=space)

    refused = api(member).patch(f"/api/v1/posts/{post.id}", json={"pinned": True})
    pinned = api(host).patch(f"/api/v1/posts/{post.id}", json={"pinned": True})

    assert refused.status_code == 403
    assert pinned.status_code == 200
    assert pinned.json()["pinned"] is True
    assert pinned.json()["edited_at"] is None
    assert fresh(session, Post, post.id).pinned_at is not None


def test_a_patch_that_fails_half_way_writes_nothing(session, api):
    host, member = make_user(session), make_user(session)
    space = make_space(session, host=host, members=(member,))
    post = make_post(session, author=member, space=space, title="Original")

    response = api(member).patch(
        f"/api/v1/posts/{post.id}", json={"title": "Changed", "pinned": True}
    )

    assert response.status_code == 403
    stored = fresh(session, Post, post.id)
    assert (stored.title, stored.edited_at, stored.pinned_at) == ("Original", None, None)


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"title": None}, "title"),
        ({"title": "x" * 201}, "title"),
        ({"body": "  "}, "body"),
        ({"pinned": "yes"}, "pinned"),
        ({"pinned": 1}, "pinned"),
        ({"kind": "question"}, "kind"),
    ],
)
def test_editing_with_invalid_input_is_422(session, api, payload, field):
    author = make_user(session)
    post = make_post(session, author=author, space=make_space(session, host=author))

    response = api(author).patch(f"/api/v1/posts/{post.id}", json=payload)

    assert response.status_code == 422
    assert ["body", field] in [error["loc"] for error in response.json()["detail"]]
    assert fresh(session, Post, post.id).edited_at is None


def test_the_author_deletes_a_post_and_it_is_gone(session, api):
    author = make_user(session)
    post = make_post(session, author=author, space=make_space(session, host=author))
    client = api(author)

    response = client.delete(f"/api/v1/posts/{post.id}")

    assert response.status_code == 204
    assert response.content == b""
    assert client.get(f"/api/v1/posts/{post.id}").status_code == 404
    assert client.delete(f"/api/v1/posts/{post.id}").status_code == 404


def test_a_host_deletes_a_members_post_but_a_member_not_anothers(session, api):
    host, writer, reader = make_user(session), make_user(session), make_user(session)
    space = make_space(session, host=host, members=(writer, reader))
    post = make_post(session, author=writer, space=space)

    assert api(reader).delete(f"/api/v1/posts/{post.id}").status_code == 403
    assert fresh(session, Post, post.id).deleted_at is None
    assert api(host).delete(f"/api/v1/posts/{post.id}").status_code == 204


# Comments


def test_comments_are_listed_oldest_first_and_paged(session, api):
    author = make_user(session, name="Ada")
    post = make_post(session, author=author, space=make_space(session, host=author))
    for i in range(3):
        make_comment(session, author=author, post=post, body=f"c{i}")
    client = api(author)

    first = client.get(f"/api/v1/posts/{post.id}/comments", params={"limit": 2}).json()
    rest = client.get(
        f"/api/v1/posts/{post.id}/comments", params={"cursor": first["next_cursor"]}
    ).json()

    assert [c["body"] for c in first["items"] + rest["items"]] == ["c0", "c1", "c2"]
    assert rest["next_cursor"] is None
    assert set(first["items"][0]) == {
        "id",
        "post_id",
        "author",
        "body",
        "body_html",
        "created_at",
    }
    expected_author = {
        "id": author.id,
        "display_name": "Ada",
        "is_leader": False,
        "avatar_url": f"/people/{author.id}/avatar/256",
    }
    assert first["items"][0]["author"] == expected_author
    assert datetime.fromisoformat(first["items"][0]["created_at"]).utcoffset() is not None


def test_a_member_comments(session, api):
    host, member = make_user(session), make_user(session)
    post = make_post(session, author=host, space=make_space(session, host=host, members=(member,)))

    response = api(member).post(f"/api/v1/posts/{post.id}/comments", json={"body": "Nice _one_"})

    assert response.status_code == 201
    assert response.json()["post_id"] == post.id
    assert response.json()["author"]["id"] == member.id
    assert response.json()["body_html"] == "<p>Nice <em>one</em></p>\n"
    assert fresh(session, Post, post.id).comment_count == 1


@pytest.mark.parametrize(
    "payload", [{}, {"body": ""}, {"body": "x" * 10001}, {"body": 5}, {"body": "ok", "x": 1}]
)
def test_commenting_with_invalid_input_is_422(session, api, payload):
    author = make_user(session)
    post = make_post(session, author=author, space=make_space(session, host=author))

    response = api(author).post(f"/api/v1/posts/{post.id}/comments", json=payload)

    assert response.status_code == 422
    assert session.exec(select(Comment)).first() is None


def test_a_non_member_may_read_but_not_comment_in_a_public_space(session, api):
    host, outsider = make_user(session), make_user(session)
    post = make_post(session, author=host, space=make_space(session, host=host))
    client = api(outsider)

    assert client.get(f"/api/v1/posts/{post.id}/comments").status_code == 200
    response = client.post(f"/api/v1/posts/{post.id}/comments", json={"body": "hi"})
    assert response.status_code == 403


def test_comments_of_an_unknown_post_are_404(session, api):
    client = api(make_user(session))

    assert client.get("/api/v1/posts/424242/comments").status_code == 404
    assert client.post("/api/v1/posts/424242/comments", json={"body": "x"}).status_code == 404


# Reactions


def test_reacting_is_idempotent_and_can_be_taken_back(session, api):
    author, fan = make_user(session), make_user(session)
    post = make_post(session, author=author, space=make_space(session, host=author))
    client = api(fan)

    first = client.post(f"/api/v1/posts/{post.id}/reactions", json={"kind": "like"})
    again = client.post(f"/api/v1/posts/{post.id}/reactions", json={"kind": "like"})

    assert first.status_code == again.status_code == 200
    assert again.json() == {"reactions": {"like": 1}, "my_reactions": ["like"]}
    assert len(session.exec(select(Reaction)).all()) == 1
    assert client.get(f"/api/v1/posts/{post.id}").json()["reactions"] == {"like": 1}

    removed = client.delete(f"/api/v1/posts/{post.id}/reactions/like")
    removed_again = client.delete(f"/api/v1/posts/{post.id}/reactions/like")

    assert removed.json() == removed_again.json() == {"reactions": {}, "my_reactions": []}
    assert session.exec(select(Reaction)).first() is None


def test_reactions_are_counted_by_kind(session, api):
    author, a, b = make_user(session), make_user(session), make_user(session)
    post = make_post(session, author=author, space=make_space(session, host=author))
    api(a).post(f"/api/v1/posts/{post.id}/reactions", json={"kind": "like"})
    api(b).post(f"/api/v1/posts/{post.id}/reactions", json={"kind": "like"})
    api(b).post(f"/api/v1/posts/{post.id}/reactions", json={"kind": "thanks"})

    body = api(author).get(f"/api/v1/posts/{post.id}").json()

    assert body["reactions"] == {"like": 2, "thanks": 1}
    assert body["my_reactions"] == []


@pytest.mark.parametrize("payload", [{"kind": "love"}, {}, {"kind": 1}, {"kind": "like", "x": 1}])
def test_an_unknown_reaction_is_422(session, api, payload):
    author = make_user(session)
    post = make_post(session, author=author, space=make_space(session, host=author))

    response = api(author).post(f"/api/v1/posts/{post.id}/reactions", json=payload)

    assert response.status_code == 422
    assert session.exec(select(Reaction)).first() is None


def test_taking_back_an_unknown_reaction_kind_is_422(session, api):
    author = make_user(session)
    post = make_post(session, author=author, space=make_space(session, host=author))

    response = api(author).delete(f"/api/v1/posts/{post.id}/reactions/love")

    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["path", "kind"]


def test_reacting_to_an_unknown_post_is_404(session, api):
    client = api(make_user(session))

    assert client.post("/api/v1/posts/4242/reactions", json={"kind": "like"}).status_code == 404
    assert client.delete("/api/v1/posts/4242/reactions/like").status_code == 404


def test_posts_can_be_scheduled_through_the_api(session, api):
    from datetime import UTC, datetime, timedelta

    from tests.factories import make_space, make_user

    host, reader = make_user(session), make_user(session)
    space = make_space(session, host=host, members=(reader,))
    when = (datetime.now(UTC) + timedelta(days=1)).replace(microsecond=0)
    created = api(host).post(
        f"/api/v1/spaces/{space.slug}/posts",
        json={"title": "Later", "body": "Soon", "publish_at": when.isoformat()},
    )
    assert created.status_code == 201, created.text
    assert created.json()["scheduled"] is True
    assert datetime.fromisoformat(created.json()["published_at"]) == when
    assert "Later" not in api(reader).get("/api/v1/feed").text
    past = api(host).post(
        f"/api/v1/spaces/{space.slug}/posts",
        json={"title": "Past", "body": "x", "publish_at": "2001-01-01T10:00"},
    )
    assert past.status_code == 422
    assert "publish_at" in past.text
