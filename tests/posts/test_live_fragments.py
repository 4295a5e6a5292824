"""The fragments a page's live stream asks for: the comments written since the page showed its
last one, and "N new posts — show them" above a stream (never the posts themselves)."""

import re

from app.core.pagination import Cursor
from app.posts.service import delete_comment, update_comment
from app.posts.streams import news_since
from app.spaces.access import access_for
from app.spaces.service import leave_space
from tests.factories import make_comment, make_post, make_space, make_user


def _news(client, url: str) -> str:
    response = client.htmx("GET", url, target="stream-news")
    assert response.status_code == 200
    return response.text


def test_new_posts_are_counted_for_readers_and_never_shown_in_place(session, login):
    host, member, outsider = make_user(session), make_user(session), make_user(session)
    open_space = make_space(session, host=host, members=(member,))
    closed = make_space(session, host=host, visibility="private", members=(member,))
    home = login(member).get("/").text
    assert 'sse-connect="/live?follow=space:*"' in home
    since = re.search(r'hx-get="/stream/news\?since=([^"&]+)"', home).group(1)  # type: ignore[union-attr]
    assert _news(login(member), f"/stream/news?since={since}").count("new post") == 0

    make_post(session, author=host, space=open_space, title="Open news")
    make_post(session, author=host, space=closed, title="Closed news")
    make_post(session, author=member, space=open_space, title="My own")

    reader = login(member)
    assert "2 new posts — show them" in _news(reader, f"/stream/news?since={since}")
    only_open = _news(reader, f"/stream/news?since={since}&space={open_space.slug}")
    assert "1 new post — show it" in only_open
    assert f'href="/spaces/{open_space.slug}"' in only_open
    # The answer keeps the same starting point, so the count grows until the reader looks.
    assert f"since={since}&amp;space={open_space.slug}" in only_open

    stranger = login(outsider)
    assert "new post" not in _news(stranger, f"/stream/news?since={since}")
    assert stranger.get(f"/stream/news?since={since}&space={closed.slug}").status_code == 404


def test_news_refuses_a_bad_starting_point(session, login):
    client = login(make_user(session))
    assert client.get("/stream/news?since=nonsense").status_code == 422
    assert client.get("/stream/news").status_code == 422
    assert client.get(f"/stream/news?since={news_since()}").status_code == 200


def test_the_live_watcher_fetches_only_the_comments_written_since(session, login):
    host = make_user(session)
    space = make_space(session, host=host)
    post = make_post(session, author=host, space=space)
    first = make_comment(session, author=host, post=post, body="First one")
    client = login(host)
    page = client.get(f"/posts/{post.id}").text
    assert f'sse-connect="/live?follow=post:{post.id}"' in page
    watcher = re.search(r'<li id="comments-live"[^>]*hx-get="([^"]+)"', page).group(1)  # type: ignore[union-attr]
    cursor = Cursor(first.created_at, first.id).encode()
    assert watcher.startswith(f"/posts/{post.id}?cursor={cursor}&amp;since=")
    watcher = watcher.replace("&amp;", "&")
    make_comment(session, author=host, post=post, body="Second one")

    fragment = client.htmx("GET", watcher, target="comments-live").text
    assert "Second one" in fragment and "First one" not in fragment
    assert 'id="comments-live"' in fragment  # the next watcher, after the new comment
    assert '<h2 id="comments-heading" hx-swap-oob="true">2 comments</h2>' in fragment


def _watcher(page: str) -> str:
    found = re.search(r'<li id="comments-live"[^>]*hx-get="([^"]+)"', page)
    assert found is not None
    return found.group(1).replace("&amp;", "&")


def test_the_live_watcher_shows_edits_in_place_and_takes_deleted_comments_away(session, login):
    host, member = make_user(session), make_user(session)
    space = make_space(session, host=host, members=(member,))
    post = make_post(session, author=host, space=space)
    edited = make_comment(session, author=host, post=post, body="Draft wording")
    deleted = make_comment(session, author=host, post=post, body="Soon gone")
    kept = make_comment(session, author=host, post=post, body="Stays as it is")
    reader = login(member)
    watcher = _watcher(reader.get(f"/posts/{post.id}").text)

    update_comment(session, user=host, comment_id=edited.id, body="Final wording")
    delete_comment(session, user=host, comment_id=deleted.id)
    session.commit()

    fragment = reader.htmx("GET", watcher, target="comments-live").text
    assert f'<li hx-swap-oob="true" class="comment" id="comment-{edited.id}"' in fragment
    assert "Final wording" in fragment and "Draft wording" not in fragment
    assert f'<li id="comment-{deleted.id}" hx-swap-oob="delete"></li>' in fragment
    assert "Soon gone" not in fragment and "Stays as it is" not in fragment
    assert f"comment-{kept.id}" not in fragment
    # The next watcher starts from now: the same changes are not sent again.
    again = reader.htmx("GET", _watcher(fragment), target="comments-live").text
    assert "Final wording" not in again and 'hx-swap-oob="delete"' not in again


def test_the_live_watcher_of_a_post_one_may_no_longer_read_answers_404(session, login):
    host, member = make_user(session), make_user(session)
    space = make_space(session, host=host, visibility="private", members=(member,))
    post = make_post(session, author=host, space=space)
    comment = make_comment(session, author=host, post=post, body="Private words")
    reader = login(member)
    watcher = _watcher(reader.get(f"/posts/{post.id}").text)
    leave_space(session, access=access_for(session, member, space))
    update_comment(session, user=host, comment_id=comment.id, body="Private edit")
    session.commit()
    answer = reader.htmx("GET", watcher, target="comments-live")
    assert answer.status_code == 404
    assert "Private edit" not in answer.text


def test_a_bad_since_is_refused(session, login):
    host = make_user(session)
    post = make_post(session, author=host, space=make_space(session, host=host))
    client = login(host)
    assert client.get(f"/posts/{post.id}?cursor=x&since=nonsense").status_code == 422
    assert client.get(f"/posts/{post.id}?cursor=x&since=-1").status_code == 422


def test_editing_or_deleting_a_comment_wakes_the_posts_open_pages(session):
    host = make_user(session)
    post = make_post(session, author=host, space=make_space(session, host=host))
    comment = make_comment(session, author=host, post=post)
    for change in (
        lambda: update_comment(session, user=host, comment_id=comment.id, body="Changed"),
        lambda: delete_comment(session, user=host, comment_id=comment.id),
    ):
        change()
        assert f"post:{post.id}" in session.info.get("agora_live_pending", set())
        session.commit()
