"""The answers to invalid input: a whole page for a form post, a fragment for htmx."""

from app.posts.service import NO_COMMENT, NO_TEXT, NO_TITLE
from tests.factories import make_comment, make_post, make_space, make_user


def test_invalid_post_from_a_plain_form_gets_the_whole_space_page_back(session, login):
    me = make_user(session)
    space = make_space(session, host=me, name="Garden Club")
    client = login(me)

    response = client.form(f"/spaces/{space.slug}/posts", {"title": "Seeds", "body": "   "})

    assert response.status_code == 422
    assert response.text.startswith("<!doctype html>")
    assert '<h1><a href="/spaces/garden-club">Garden Club</a></h1>' in response.text
    assert NO_TEXT in response.text
    assert 'value="Seeds"' in response.text


def test_invalid_post_from_htmx_gets_only_the_composer(session, login):
    me = make_user(session)
    space = make_space(session, host=me)
    client = login(me)

    response = client.htmx(
        "POST",
        f"/spaces/{space.slug}/posts",
        target="composer",
        data={"title": "", "body": "text"},
    )

    assert response.status_code == 422
    assert "<html" not in response.text
    assert response.text.lstrip().startswith('<section class="card composer" id="composer"')
    assert NO_TITLE in response.text


def test_blank_comment_from_htmx_replaces_the_form_not_the_list(session, login):
    me = make_user(session)
    space = make_space(session, host=me)
    post = make_post(session, author=me, space=space)
    client = login(me)

    response = client.htmx(
        "POST", f"/posts/{post.id}/comments", target="comment-list", data={"body": "  "}
    )

    assert response.status_code == 422
    assert response.headers["hx-retarget"] == "#comment-form"
    assert response.headers["hx-reswap"] == "outerHTML"
    assert response.text.lstrip().startswith('<div id="comment-form">')
    assert NO_COMMENT in response.text


def test_new_comment_from_htmx_also_updates_the_count(session, login):
    me = make_user(session)
    space = make_space(session, host=me)
    post = make_post(session, author=me, space=space)
    make_comment(session, author=me, post=post)
    client = login(me)

    response = client.htmx(
        "POST", f"/posts/{post.id}/comments", target="comment-list", data={"body": "Second"}
    )

    assert response.status_code == 200
    assert '<li class="comment"' in response.text
    assert '<h2 id="comments-heading" hx-swap-oob="true">2 comments</h2>' in response.text
