"""Kudos in the space and home streams, when the receiver chose to show them there."""

from datetime import UTC, datetime, timedelta

from sqlalchemy import update
from sqlmodel import col

from app.posts.models import Post
from app.posts.streams import home_stream, space_stream
from app.recognition.kudos import give_kudos
from app.recognition.models import Kudos
from app.recognition.service import update_preferences
from app.recognition.stream import home_stream_with_thanks, space_stream_with_thanks
from app.spaces.access import access_for
from tests.factories import make_post, make_space, make_user


def _shows_kudos(session, *people):
    for person in people:
        update_preferences(session, user=person, hide_badges=False, kudos_in_space=True)
    session.commit()


def _thank(session, giver, post, message, at=None):
    (row,) = give_kudos(
        session, giver=giver, message=message, target_type="post", target_id=post.id
    )
    if at is not None:
        session.exec(update(Kudos).where(col(Kudos.id) == row.id).values(created_at=at))  # type: ignore[call-overload]
    session.commit()
    return row


def _at(session, post, at):
    session.exec(  # type: ignore[call-overload]
        update(Post).where(col(Post.id) == post.id).values(published_at=at, created_at=at)
    )
    session.commit()


def _labels(entries):
    return [
        f"kudos:{e.kudos.message}" if hasattr(e, "kudos") else f"post:{e.post.title}"
        for e in entries
    ]


def _space_walk(session, access, limit):
    seen, cursor = [], None
    while True:
        page, entries = space_stream_with_thanks(
            session,
            access=access,
            posts_page=lambda after: space_stream(
                session, access=access, cursor=after, limit=limit
            ),
            cursor=cursor,
            limit=limit,
        )
        assert len(entries) <= limit
        assert page.items == [e for e in entries if not hasattr(e, "kudos")]
        seen += _labels(entries)
        cursor = page.next_cursor
        if cursor is None:
            return seen


def test_kudos_show_in_the_space_stream_only_if_the_receiver_allows_it(session):
    shy, open_, fan = make_user(session), make_user(session), make_user(session)
    space = make_space(session, host=shy, members=(open_, fan))
    by_shy = make_post(session, author=shy, space=space, title="shy post")
    by_open = make_post(session, author=open_, space=space, title="open post")
    _shows_kudos(session, open_)
    _thank(session, fan, by_shy, "for shy")
    _thank(session, fan, by_open, "for open")

    seen = _space_walk(session, access_for(session, fan, space), limit=20)

    assert seen == ["kudos:for open", "post:open post", "post:shy post"]


def test_the_merged_stream_pages_without_gaps_or_repeats(session):
    author, fan = make_user(session), make_user(session)
    space = make_space(session, host=author, members=(fan,))
    _shows_kudos(session, author)
    start = datetime(2026, 1, 1, 9, tzinfo=UTC)
    expected = []
    for i in range(6):
        post = make_post(session, author=author, space=space, title=f"p{i}")
        _at(session, post, start + timedelta(minutes=10 * i))
        expected.append(f"post:p{i}")
        # Kudos at the very moment of the post (ties: the post comes first, newest first)...
        _thank(session, fan, post, f"k{i}a", at=start + timedelta(minutes=10 * i))
        expected.append(f"kudos:k{i}a")
        if i % 2:  # ...and some a little later
            _thank(session, fan, post, f"k{i}b", at=start + timedelta(minutes=10 * i + 5))
            expected.append(f"kudos:k{i}b")
    newest_first = []
    for i in reversed(range(6)):
        if i % 2:
            newest_first.append(f"kudos:k{i}b")
        newest_first += [f"post:p{i}", f"kudos:k{i}a"]
    assert sorted(newest_first) == sorted(expected)
    access = access_for(session, fan, space)

    for limit in (1, 2, 3, 5, 20):
        assert _space_walk(session, access, limit) == newest_first, limit


def test_cursors_handed_out_before_kudos_joined_still_work(session):
    author = make_user(session)
    space = make_space(session, host=author)
    for i in range(5):
        make_post(session, author=author, space=space, title=f"p{i}")
    access = access_for(session, author, space)
    old = space_stream(session, access=access, limit=2).next_cursor

    _page, entries = space_stream_with_thanks(
        session,
        access=access,
        posts_page=lambda after: space_stream(session, access=access, cursor=after, limit=2),
        cursor=old,
        limit=2,
    )

    assert _labels(entries) == ["post:p2", "post:p1"]


def test_home_shows_kudos_from_my_spaces_only(session):
    me, author, stranger = make_user(session), make_user(session), make_user(session)
    mine = make_space(session, host=author, members=(me,))
    elsewhere = make_space(session, host=stranger, members=(author,))
    _shows_kudos(session, author, stranger)
    in_mine = make_post(session, author=author, space=mine, title="mine")
    in_other = make_post(session, author=stranger, space=elsewhere, title="other")
    _thank(session, me, in_mine, "seen at home")
    _thank(session, author, in_other, "not my space")

    _page, entries = home_stream_with_thanks(
        session,
        user=me,
        posts_page=lambda after: home_stream(session, user=me, cursor=after),
    )

    assert _labels(entries) == ["kudos:seen at home", "post:mine"]


def _private_kudos(session):
    author, member, outsider = make_user(session), make_user(session), make_user(session)
    space = make_space(
        session, host=author, visibility="private", join_policy="request", members=(member,)
    )
    post = make_post(session, author=author, space=space, title="Codename Osprey")
    _shows_kudos(session, author)
    _thank(session, member, post, "Secret thanks")
    return author, member, outsider, space


def test_space_page_and_fragment_show_the_kudos_entry(session, login):
    author, member, _outsider, space = _private_kudos(session)
    for i in range(25):
        make_post(session, author=author, space=space, title=f"filler {i}")
    client = login(member)

    page = client.get(f"/spaces/{space.slug}").text
    # 25 newer posts fill the first page; the kudos comes on the second.
    assert 'class="card thanks-entry"' not in page
    cursor = page.split("?cursor=")[1].split('"')[0]
    fragment = client.htmx("GET", f"/spaces/{space.slug}?cursor={cursor}", target="load-more")

    assert fragment.status_code == 200
    assert "<html" not in fragment.text
    assert 'class="card thanks-entry"' in fragment.text
    assert "Secret thanks" in fragment.text
    assert "Codename Osprey" in fragment.text


def test_private_kudos_reach_no_outsider_stream(session, login):
    author, member, outsider, space = _private_kudos(session)
    for who in (outsider,):
        home = login(who).get("/").text
        assert "Secret thanks" not in home and "Codename Osprey" not in home
        locked = login(who).get(f"/spaces/{space.slug}").text
        assert "Secret thanks" not in locked and "Codename Osprey" not in locked
    assert "Secret thanks" in login(member).get("/").text
    assert "Secret thanks" in login(author).get(f"/spaces/{space.slug}").text


def test_admins_see_the_entry_in_a_private_space_they_may_read(session, login):
    _author, _member, _outsider, space = _private_kudos(session)
    admin = make_user(session, admin=True)

    response = login(admin).get(f"/spaces/{space.slug}")

    can_read = access_for(session, admin, space).can_read
    assert ("Secret thanks" in response.text) == can_read
