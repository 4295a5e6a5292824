"""The search page, its fragments and the header's suggestions."""

import pytest

from app.moderation.service import flag_post
from tests.factories import make_comment, make_post, make_space, make_user


@pytest.fixture
def world(session):  # type: ignore[no-untyped-def]
    host = make_user(session, name="Hanna Host")
    member = make_user(session, name="Max Member")
    outsider = make_user(session, name="Otto Outsider")
    public = make_space(session, host=host, name="Open Plaza", members=(member,))
    secret = make_space(
        session, host=host, name="Hidden Vault", visibility="secret", members=(member,)
    )
    private = make_space(
        session, host=host, name="Back Office", visibility="private", members=(member,)
    )
    make_post(session, author=host, space=public, title="Kangaroo public", body="kangaroo")
    for space in (secret, private):
        post = make_post(session, author=host, space=space, title=f"Kangaroo {space.name}")
        make_comment(session, author=member, post=post, body="kangaroo comment")
    hidden = make_post(session, author=member, space=public, title="Kangaroo hidden")
    for n in range(3):
        flag_post(session, user=make_user(session), post_id=hidden.id, reason=f"spam {n}")  # type: ignore[arg-type]
    session.commit()
    return host, member, outsider


def test_page_shows_only_what_the_reader_may_read(login, world):
    _host, member, outsider = world
    page = login(outsider).get("/search", params={"q": "kangaroo"})
    assert page.status_code == 200
    assert "Kangaroo public" in page.text
    for secret in ("Hidden Vault", "Back Office", "kangaroo comment", "Kangaroo hidden"):
        assert secret not in page.text
    member_page = login(member).get("/search", params={"q": "kangaroo"})
    assert "Kangaroo Hidden Vault" in member_page.text
    assert "Kangaroo Back Office" in member_page.text


def test_fragment_and_suggestions(login, world):
    _host, _member, outsider = world
    client = login(outsider)
    fragment = client.htmx("GET", "/search?q=kangaroo", target="search-results")
    assert fragment.status_code == 200
    assert "<html" not in fragment.text and "Kangaroo public" in fragment.text
    suggest = client.htmx("GET", "/search/suggest?q=kangar", target="site-search-suggestions")
    assert 'role="listbox"' in suggest.text and "Kangaroo public" in suggest.text
    assert "Hidden Vault" not in suggest.text
    people = client.htmx("GET", "/search/suggest?q=hanna", target="site-search-suggestions")
    assert "Hanna Host" in people.text and "/people/" in people.text
    assert "All results for" in suggest.text
    assert (
        client.htmx("GET", "/search/suggest?q=", target="site-search-suggestions").text.strip()
        == ""
    )


def test_empty_states_and_bad_input(login, world):
    _host, _member, outsider = world
    client = login(outsider)
    assert "Type a word" in client.get("/search").text
    assert "No results in spaces you can read" in client.get("/search?q=nothingmatches").text
    for q in ['"', "NEAR(", "a:*", "-", "*", "\x01", "x" * 10_000, "(((", "' OR 1=1 --"]:
        assert client.get("/search", params={"q": q}).status_code == 200
    assert client.get("/search", params={"q": "x", "type": "nope"}).status_code == 422
    assert client.get("/search", params={"q": "x", "since": "yesterday"}).status_code == 422
    assert client.get("/search", params={"q": "x", "cursor": "garbage"}).status_code == 422
    assert client.get("/search", params={"q": "x", "space": "hidden-vault"}).status_code == 404


def test_snippets_are_escaped(login, session, world):
    host, _member, outsider = world
    space = make_space(session, host=host, name="Script Kiddies")
    make_post(
        session,
        author=host,
        space=space,
        title="<img src=x onerror=alert(1)>",
        body="xsspayload <script>alert(1)</script> \ue000fake\ue001",
    )
    text = login(outsider).get("/search", params={"q": "xsspayload"}).text
    assert "<script>alert(1)</script>" not in text
    assert "<img src=x" not in text
    assert "&lt;script&gt;" in text and "<mark>xsspayload</mark>" in text
    assert "<mark>fake</mark>" not in text


def test_load_more_pages_by_cursor(login, session, world):
    host, _member, outsider = world
    space = make_space(session, host=host, name="Many")
    for n in range(25):
        make_post(session, author=host, space=space, title=f"Platypus {n}")
    client = login(outsider)
    first = client.get("/search", params={"q": "platypus"})
    assert "Platypus 24" in first.text and "Platypus 4" not in first.text
    assert "Load more" in first.text
    cursor = first.text.split("cursor=")[1].split('"')[0].split("&")[0]
    more = client.htmx("GET", f"/search?q=platypus&cursor={cursor}")
    assert "<html" not in more.text
    assert "Platypus 4" in more.text and "Platypus 0" in more.text and "Load more" not in more.text


def test_signed_out_people_are_sent_to_sign_in(client):
    response = client.get("/search?q=x", follow_redirects=False)
    assert response.status_code in (303, 401)


def test_queries_stay_constant_as_results_grow(session, login, count_queries, world):
    host, _member, outsider = world
    client = login(outsider)
    with count_queries() as few:
        client.get("/search", params={"q": "kangaroo"})
    with count_queries() as few_suggestions:
        client.htmx("GET", "/search/suggest?q=kangaroo", target="site-search-suggestions")
    space = make_space(session, host=host, name="Crowd")
    for n in range(15):
        post = make_post(session, author=host, space=space, title=f"Kangaroo {n}")
        make_comment(session, author=host, post=post, body="kangaroo again")
    with count_queries() as many:
        client.get("/search", params={"q": "kangaroo"})
    with count_queries() as many_suggestions:
        client.htmx("GET", "/search/suggest?q=kangaroo", target="site-search-suggestions")
    assert len(few) == len(many)
    assert len(few_suggestions) == len(many_suggestions)
    # The signed-in person; for content, then for people and spaces: how common the words are
    # (SQLite) and the results.
    assert len(many_suggestions) <= 5
