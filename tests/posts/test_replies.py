"""Replying to a comment on the page: the form (htmx fragment or a page of its own), the reply
shown indented with a link to its comment, the comment's author told; each bad input refused."""

from sqlmodel import select

from app.notifications.models import Notification
from app.posts.models import Comment
from tests.factories import make_comment, make_post, make_space, make_user


def _setup(session):
    host, commenter, replier = make_user(session), make_user(session), make_user(session)
    space = make_space(session, host=host, members=(commenter, replier))
    post = make_post(session, author=host, space=space)
    comment = make_comment(session, author=commenter, post=post, body="Which floor?")
    return host, commenter, replier, post, comment


def test_every_comment_offers_a_reply(session, login):
    _host, _commenter, replier, post, comment = _setup(session)
    page = login(replier).get(f"/posts/{post.id}").text
    assert f'href="/comments/{comment.id}/reply"' in page
    assert f'hx-target="#reply-slot-{comment.id}"' in page


def test_the_reply_form_as_a_fragment_and_as_a_page(session, login):
    _host, _commenter, replier, post, comment = _setup(session)
    client = login(replier)
    fragment = client.htmx(
        "GET", f"/comments/{comment.id}/reply", target=f"reply-slot-{comment.id}"
    )
    assert fragment.status_code == 200
    assert "<html" not in fragment.text
    assert f'name="parent_id" value="{comment.id}"' in fragment.text
    page = client.get(f"/comments/{comment.id}/reply")
    assert "<html" in page.text and "Which floor?" in page.text
    assert f'action="/posts/{post.id}/comments"' in page.text


def test_a_reply_without_javascript_lands_under_its_comment_and_tells_its_author(session, login):
    _host, commenter, replier, post, comment = _setup(session)
    client = login(replier)
    response = client.form(
        f"/posts/{post.id}/comments", {"body": "Third.", "parent_id": str(comment.id)}
    )
    assert response.status_code == 303
    reply = session.exec(select(Comment).where(Comment.parent_id == comment.id)).one()
    page = client.get(f"/posts/{post.id}").text
    assert f'<li class="comment reply" id="comment-{reply.id}">' in page
    assert f'href="#comment-{comment.id}"' in page
    kinds = session.exec(select(Notification.kind).where(Notification.user_id == commenter.id))
    assert kinds.all() == ["reply"]


def test_a_reply_with_htmx_is_appended_and_closes_its_form(session, login):
    _host, _commenter, replier, post, comment = _setup(session)
    client = login(replier)
    answer = client.htmx(
        "POST",
        f"/posts/{post.id}/comments",
        target="comment-list",
        data={"body": "Third.", "parent_id": str(comment.id)},
    )
    assert answer.status_code == 200
    assert 'class="comment reply"' in answer.text and "Third." in answer.text
    assert f'<div id="reply-slot-{comment.id}" hx-swap-oob="true"></div>' in answer.text


def test_an_empty_reply_is_refused_beside_its_form(session, login):
    _host, _commenter, replier, post, comment = _setup(session)
    client = login(replier)
    url = f"/posts/{post.id}/comments"
    answer = client.htmx("POST", url, data={"body": " ", "parent_id": str(comment.id)})
    assert answer.status_code == 422
    assert answer.headers["HX-Retarget"] == f"#reply-slot-{comment.id}"
    assert 'class="field-error"' in answer.text and "<html" not in answer.text
    page = client.form(url, {"body": "", "parent_id": str(comment.id)})
    assert page.status_code == 422 and "<html" in page.text
    assert session.exec(select(Comment).where(Comment.parent_id == comment.id)).all() == []


def test_a_reply_to_a_comment_of_another_post_or_a_deleted_one_is_refused(session, login):
    host, _commenter, replier, post, comment = _setup(session)
    other = make_post(session, author=host, space=make_space(session, host=host))
    elsewhere = make_comment(session, author=host, post=other)
    client = login(replier)
    url = f"/posts/{post.id}/comments"
    assert client.form(url, {"body": "x", "parent_id": str(elsewhere.id)}).status_code == 422
    assert client.form(url, {"body": "x", "parent_id": "nonsense"}).status_code == 422
    comment.deleted_at = comment.created_at
    session.add(comment)
    session.commit()
    assert client.form(url, {"body": "x", "parent_id": str(comment.id)}).status_code == 422
    assert client.get(f"/comments/{comment.id}/reply").status_code == 404


def test_an_outsider_gets_no_reply_form_of_a_private_post(session, login):
    host, member, outsider = make_user(session), make_user(session), make_user(session)
    space = make_space(session, host=host, visibility="private", members=(member,))
    post = make_post(session, author=host, space=space)
    comment = make_comment(session, author=member, post=post, body="Secret plans")
    answer = login(outsider).get(f"/comments/{comment.id}/reply")
    assert answer.status_code == 404
    assert "Secret plans" not in answer.text
