"""Home and space streams: what shows, in which order, in how many queries."""

from sqlmodel import select

from app.posts.models import Post
from app.posts.streams import home_stream, space_stream
from app.recognition.kudos import give_kudos
from app.recognition.models import RecognitionSettings
from app.recognition.service import update_preferences
from app.spaces.access import access_for
from tests.factories import make_post, make_space, make_user


def test_home_stream_shows_my_spaces_and_public_announcements_only(session):
    host, me, stranger = make_user(session), make_user(session), make_user(session)
    mine = make_space(session, host=host, members=(me,))
    other_public = make_space(session, host=stranger)
    private = make_space(session, host=stranger, visibility="private")
    make_post(session, author=host, space=mine, title="in my space")
    make_post(session, author=stranger, space=other_public, title="public chatter")
    make_post(session, author=stranger, space=other_public, title="big news", kind="announcement")
    make_post(session, author=stranger, space=private, title="private news", kind="announcement")

    titles = [card.post.title for card in home_stream(session, user=me).items]

    assert titles == ["big news", "in my space"]


def test_home_stream_pages_with_a_cursor_without_gaps_or_repeats(session):
    me = make_user(session)
    space = make_space(session, host=me)
    for i in range(7):
        make_post(session, author=me, space=space, title=f"post {i}")

    seen, cursor = [], None
    while True:
        page = home_stream(session, user=me, cursor=cursor, limit=3)
        seen += [card.post.title for card in page.items]
        cursor = page.next_cursor
        if cursor is None:
            break

    assert seen == [f"post {i}" for i in reversed(range(7))]


def test_space_stream_leaves_pinned_posts_to_the_pinned_list(session):
    from app.posts.service import set_pinned
    from app.posts.streams import pinned_posts

    host = make_user(session)
    space = make_space(session, host=host)
    first = make_post(session, author=host, space=space, title="first")
    make_post(session, author=host, space=space, title="second")
    set_pinned(session, user=host, post_id=first.id, pinned=True)
    session.commit()
    access = access_for(session, host, space)

    assert [c.post.title for c in space_stream(session, access=access).items] == ["second"]
    assert [c.post.title for c in pinned_posts(session, access=access)] == ["first"]


def _fill(session, author, space, n):
    for i in range(n):
        make_post(
            session, author=author, space=space, title=f"p{i}", body=f"hello @{author.handle}"
        )


def test_home_page_query_count_does_not_grow_with_data(session, login, count_queries):
    me, other = make_user(session), make_user(session)
    space = make_space(session, host=me, members=(other,))
    _fill(session, other, space, 3)
    client = login(me)
    with count_queries() as few:
        assert client.get("/").status_code == 200
    _fill(session, other, space, 25)
    with count_queries() as many:
        assert client.get("/").status_code == 200
    assert len(many) == len(few)
    assert len(many) <= 12  # stream, my spaces, events, pins, checklist, showcase, leaders


def test_space_page_query_count_does_not_grow_with_data(session, login, count_queries):
    me, other = make_user(session), make_user(session)
    space = make_space(session, host=me, members=(other,))
    _fill(session, other, space, 3)
    client = login(me)
    with count_queries() as few:
        assert client.get(f"/spaces/{space.slug}").status_code == 200
    _fill(session, other, space, 25)
    with count_queries() as many:
        assert client.get(f"/spaces/{space.slug}").status_code == 200
    assert len(many) == len(few)
    # The space, the reader's membership and the member count are one query (app.spaces.page).
    assert len(many) <= 9


def test_load_more_answers_the_fragment_for_htmx(session, login):
    me = make_user(session)
    space = make_space(session, host=me)
    _fill(session, me, space, 25)
    client = login(me)
    page = client.get("/")
    assert "Load more" in page.text
    cursor = page.text.split("?cursor=")[1].split('"')[0]

    fragment = client.htmx("GET", f"/?cursor={cursor}", target="load-more")

    assert fragment.status_code == 200
    assert "<html" not in fragment.text
    assert fragment.text.count('class="card post-card') == 5
    assert fragment.headers["vary"] == "HX-Request"


def test_malformed_cursor_is_a_clear_422(session, login):
    me = make_user(session)
    client = login(me)
    response = client.get("/?cursor=not-a-cursor!!")
    assert response.status_code == 422
    assert "page link is not valid" in response.text


def test_home_stream_merges_my_spaces_and_announcements_page_by_page(session):
    me, host, stranger = make_user(session), make_user(session), make_user(session)
    mine = make_space(session, host=host, members=(me,))
    elsewhere = make_space(session, host=stranger)
    expected = []
    for i in range(8):
        make_post(session, author=host, space=mine, title=f"mine {i}")
        expected.append(f"mine {i}")
        if i % 2:
            make_post(
                session, author=stranger, space=elsewhere, title=f"news {i}", kind="announcement"
            )
            expected.append(f"news {i}")
            make_post(session, author=stranger, space=elsewhere, title=f"chatter {i}")

    seen, cursor = [], None
    while True:
        page = home_stream(session, user=me, cursor=cursor, limit=3)
        seen += [card.post.title for card in page.items]
        cursor = page.next_cursor
        if cursor is None:
            break

    assert seen == list(reversed(expected))


def test_an_announcement_in_my_own_public_space_is_shown_once_and_takes_one_place(session):
    """Such a post comes from both sources of the home stream; it must count once when the
    merge is cut to a page, or pages come short and the stream ends early."""
    me, host = make_user(session), make_user(session)
    mine = make_space(session, host=host, members=(me,))
    for i in range(7):
        make_post(session, author=host, space=mine, title=f"news {i}", kind="announcement")

    pages, seen, cursor = [], [], None
    while True:
        page = home_stream(session, user=me, cursor=cursor, limit=3)
        pages.append(len(page.items))
        seen += [card.post.title for card in page.items]
        cursor = page.next_cursor
        if cursor is None:
            break

    assert seen == [f"news {i}" for i in reversed(range(7))]
    assert pages == [3, 3, 1]


def _thank_all(session, giver, space, receiver):
    """Kudos for each of the receiver's posts in the space (the receiver shows them there)."""
    update_preferences(session, user=receiver, hide_badges=False, kudos_in_space=True)
    posts = session.exec(
        select(Post).where(Post.space_id == space.id, Post.author_id == receiver.id)
    ).all()
    for post in posts:
        give_kudos(session, giver=giver, message="Thanks", target_type="post", target_id=post.id)
    session.commit()


def test_kudos_in_the_streams_add_no_query_per_entry(session, login, count_queries):
    session.add(RecognitionSettings(id=1, kudos_monthly_budget=500))
    session.commit()
    me, other = make_user(session), make_user(session)
    space = make_space(session, host=me, members=(other,))
    _fill(session, other, space, 3)
    _thank_all(session, me, space, other)
    client = login(me)
    with count_queries() as few_space:
        assert client.get(f"/spaces/{space.slug}").text.count("thanks-entry") == 3
    with count_queries() as few_home:
        assert client.get("/").text.count("thanks-entry") == 3
    _fill(session, other, space, 25)
    _thank_all(session, me, space, other)
    with count_queries() as many_space:
        page = client.get(f"/spaces/{space.slug}").text
    with count_queries() as many_home:
        assert client.get("/").status_code == 200
    cursor = page.split("?cursor=")[1].split('"')[0]
    with count_queries() as more:
        fragment = client.htmx("GET", f"/spaces/{space.slug}?cursor={cursor}", target="load-more")

    assert page.count("thanks-entry") + page.count("post-card") >= 20
    assert len(many_space) == len(few_space) <= 10
    assert len(many_home) == len(few_home) <= 13
    assert fragment.text.count("thanks-entry") > 0
    assert len(more) <= 7
