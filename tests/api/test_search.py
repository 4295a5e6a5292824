"""GET /api/v1/search: the contract, visibility and bad input."""

from app.search.text import MARK_END, MARK_START
from tests.factories import make_comment, make_post, make_space, make_user


def test_results_follow_the_contract(session, api):
    host = make_user(session, name="Ada")
    reader = make_user(session)
    space = make_space(session, host=host, name="Garden", members=(reader,))
    post = make_post(session, author=host, space=space, title="Tomatoes", body="Tomaten im Garten")
    make_comment(session, author=reader, post=post, body="Mehr Tomaten")
    body = api(reader).get("/api/v1/search", params={"q": "tomate", "type": "post"}).json()
    assert body["next_cursor"] is None
    [hit] = body["items"]
    assert {k: v for k, v in hit.items() if k != "created_at"} == {
        "type": "post",
        "id": post.id,
        "title": "Tomatoes",
        "snippet": f"{MARK_START}Tomaten{MARK_END} im Garten",
        "url": f"/posts/{post.id}",
        "space": space.slug,
        "author": {"handle": host.handle, "display_name": "Ada"},
    }
    both = api(reader).get("/api/v1/search", params={"q": "tomaten"}).json()["items"]
    assert [h["type"] for h in both] == ["comment", "post"]


def test_pages_and_visibility(session, api):
    host = make_user(session)
    outsider = make_user(session)
    open_space = make_space(session, host=host)
    secret = make_space(session, host=host, visibility="secret")
    for n in range(3):
        make_post(session, author=host, space=open_space, title=f"Lantern {n}")
    make_post(session, author=host, space=secret, title="Lantern secret")
    client = api(outsider)
    first = client.get("/api/v1/search", params={"q": "lantern", "limit": 2}).json()
    rest = client.get(
        "/api/v1/search", params={"q": "lantern", "limit": 2, "cursor": first["next_cursor"]}
    ).json()
    titles = [h["title"] for h in first["items"] + rest["items"]]
    assert titles == ["Lantern 2", "Lantern 1", "Lantern 0"] and rest["next_cursor"] is None
    assert client.get("/api/v1/search", params={"q": "x", "space": secret.slug}).status_code == 404
    assert api(host).get("/api/v1/search", params={"q": "lantern secret"}).json()["items"]


def test_bad_input_is_text_or_a_clear_422(session, api):
    client = api(make_user(session))
    for q in ['"', "NEAR(a b)", "a:* & !b", "-", "*", "\x00", "x" * 9_000, "'||'"]:
        assert client.get("/api/v1/search", params={"q": q}).status_code == 200
    assert client.get("/api/v1/search", params={"q": "x", "type": "nope"}).status_code == 422
    assert client.get("/api/v1/search", params={"q": "x", "since": "nope"}).status_code == 422
    assert client.get("/api/v1/search", params={"q": "x", "cursor": "bad"}).status_code == 422
    assert client.get("/api/v1/search", params={"q": "x" * 10_001}).status_code == 422
