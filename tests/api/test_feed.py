"""The home stream over the API, and lists that cost the same few queries however full they are."""

import base64

import pytest

from tests.factories import make_comment, make_post, make_space, make_user


def test_feed_shows_my_spaces_and_public_announcements_only(session, api):
    host, me, stranger = make_user(session), make_user(session), make_user(session)
    mine = make_space(session, host=host, members=(me,))
    other_public = make_space(session, host=stranger)
    private = make_space(session, host=stranger, visibility="private")
    make_post(session, author=host, space=mine, title="in my space")
    make_post(session, author=stranger, space=other_public, title="public chatter")
    make_post(session, author=stranger, space=other_public, title="big news", kind="announcement")
    make_post(session, author=stranger, space=private, title="private news", kind="announcement")

    body = api(me).get("/api/v1/feed").json()

    assert [p["title"] for p in body["items"]] == ["big news", "in my space"]
    assert body["next_cursor"] is None
    assert "private news" not in str(body)


def test_feed_pages_with_a_cursor_without_gaps_or_repeats(session, api):
    me = make_user(session)
    space = make_space(session, host=me)
    for i in range(7):
        make_post(session, author=me, space=space, title=f"post {i}")
    client = api(me)

    seen, cursor, pages = [], None, 0
    while True:
        params = {"limit": 3} | ({"cursor": cursor} if cursor else {})
        body = client.get("/api/v1/feed", params=params).json()
        seen += [p["title"] for p in body["items"]]
        cursor, pages = body["next_cursor"], pages + 1
        if cursor is None:
            break

    assert seen == [f"post {i}" for i in reversed(range(7))]
    assert pages == 3


def test_feed_limit_defaults_to_20(session, api):
    me = make_user(session)
    space = make_space(session, host=me)
    for i in range(21):
        make_post(session, author=me, space=space, title=f"post {i}")

    body = api(me).get("/api/v1/feed").json()

    assert len(body["items"]) == 20
    assert body["next_cursor"] is not None


@pytest.mark.parametrize(
    "params", [{"limit": 0}, {"limit": 101}, {"limit": -5}, {"cursor": "%%%"}, {"cursor": "YQ"}]
)
def test_feed_rejects_bad_paging_parameters(session, api, params):
    response = api(make_user(session)).get("/api/v1/feed", params=params)

    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["query", next(iter(params))]


def _fill(session, space, people, n):  # type: ignore[no-untyped-def]
    """n posts by turns of several authors, each with a mention, a comment and reactions."""
    from app.posts.service import react

    for i in range(n):
        author = people[i % len(people)]
        post = make_post(
            session, author=author, space=space, title=f"p{i}", body=f"hi @{people[0].handle}"
        )
        make_comment(session, author=people[(i + 1) % len(people)], post=post)
        for person in people:
            react(session, user=person, post_id=post.id, kind="like")
        session.commit()


@pytest.mark.parametrize(
    ("path", "budget"),
    # token lookup, (space with membership,) posts with authors and spaces, reaction counts, mine
    [("/api/v1/feed", 4), ("/api/v1/spaces/{slug}/posts", 5)],
)
def test_lists_run_a_constant_number_of_queries(session, api, count_queries, path, budget):
    people = [make_user(session) for _ in range(3)]
    space = make_space(session, host=people[0], members=tuple(people[1:]))
    client = api(people[0])
    client.get("/api/v1/me")  # the token's first use is written once; the budget is per call
    url = path.format(slug=space.slug)
    _fill(session, space, people, 2)
    with count_queries() as few:
        assert len(client.get(url).json()["items"]) == 2
    _fill(session, space, people, 30)
    with count_queries() as many:
        assert len(client.get(url, params={"limit": 30}).json()["items"]) == 30

    assert len(many) == len(few)
    assert len(many) <= budget


def test_directory_runs_a_constant_number_of_queries(session, api, count_queries):
    me = make_user(session)
    client = api(me)
    client.get("/api/v1/me")  # the token's first use is written once; the budget is per call
    make_space(session, host=me)
    with count_queries() as few:
        assert len(client.get("/api/v1/spaces").json()["items"]) == 1
    for _ in range(15):
        make_space(session, host=me, members=(make_user(session),))
    with count_queries() as many:
        assert len(client.get("/api/v1/spaces").json()["items"]) == 16

    assert len(many) == len(few) <= 3


@pytest.mark.parametrize("row_id", [2**31, 2**63, -(2**31)])
def test_a_cursor_naming_an_impossible_row_is_refused_with_422(session, api, row_id):
    """Cursors are made from row ids: a hand-made one with a larger number must not reach the
    database (SQLite overflows at 2**63, PostgreSQL's integers at 2**31)."""
    client = api(make_user(session))
    token = base64.urlsafe_b64encode(f"2026-01-01T00:00:00+00:00|{row_id}".encode()).decode()

    answer = client.get("/api/v1/feed", params={"cursor": token})

    assert answer.status_code == 422
    assert answer.json()["detail"][0]["loc"] == ["query", "cursor"]
