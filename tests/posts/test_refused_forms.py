"""A refused comment form (new, reply, edit): 422, the message beside the text, what was typed
kept, and nothing stored."""

from sqlmodel import select

from app.posts.models import Comment
from app.posts.service import MAX_COMMENT
from tests.factories import make_comment, make_post, make_space, make_user

TOO_LONG = "x" * (MAX_COMMENT - 8) + " typed-on"  # one past the limit, with a word to find


def _field_error(text: str) -> str:
    return text.split('id="body-error"', 1)[1].split("</p>", 1)[0]


def test_a_too_long_comment_is_refused_and_what_was_typed_stays(session, login):
    me = make_user(session)
    post = make_post(session, author=me, space=make_space(session, host=me))
    client = login(me)

    page = client.form(f"/posts/{post.id}/comments", {"body": TOO_LONG})

    assert page.status_code == 422
    assert "at most 10000 characters" in _field_error(page.text)
    assert "typed-on</textarea>" in page.text
    assert session.exec(select(Comment)).all() == []


def test_a_too_long_reply_is_refused_under_its_comment(session, login):
    me = make_user(session)
    post = make_post(session, author=me, space=make_space(session, host=me))
    comment = make_comment(session, author=me, post=post)
    client = login(me)

    page = client.form(
        f"/posts/{post.id}/comments", {"body": TOO_LONG, "parent_id": str(comment.id)}
    )

    assert page.status_code == 422
    assert "at most 10000 characters" in _field_error(page.text)
    assert "typed-on</textarea>" in page.text
    assert session.exec(select(Comment).where(Comment.parent_id == comment.id)).all() == []


def test_a_refused_comment_edit_keeps_the_new_text_and_stores_nothing(session, login):
    me = make_user(session)
    post = make_post(session, author=me, space=make_space(session, host=me))
    comment = make_comment(session, author=me, post=post, body="as it was")
    client = login(me)

    page = client.form(f"/comments/{comment.id}/edit", {"body": TOO_LONG})

    assert page.status_code == 422
    assert "at most 10000 characters" in _field_error(page.text)
    assert "typed-on</textarea>" in page.text
    session.refresh(comment)
    assert comment.body == "as it was"


def test_a_reply_to_no_number_is_refused_before_anything_runs(session, login):
    me = make_user(session)
    post = make_post(session, author=me, space=make_space(session, host=me))
    client = login(me)

    answer = client.form(f"/posts/{post.id}/comments", {"body": "hi", "parent_id": "0"})

    assert answer.status_code == 422
    assert session.exec(select(Comment)).all() == []
