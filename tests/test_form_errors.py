"""web.form_error: a failed form comes back with its message and what was typed (422), and
nothing of the failed action is kept."""

from sqlmodel import select

from app.community.models import Flag
from app.recognition.models import Kudos
from tests.factories import make_comment, make_post, make_space, make_user


def test_a_comment_flag_without_a_reason_answers_the_form_again(session, login):
    host, author, reader = make_user(session), make_user(session), make_user(session)
    space = make_space(session, host=host, members=(author, reader))
    post = make_post(session, author=author, space=space)
    comment = make_comment(session, author=author, post=post, body="Hmm")

    response = login(reader).form(f"/comments/{comment.id}/flag", {"reason": "bogus"})

    assert response.status_code == 422
    assert "Tell the moderators what is wrong" in response.text
    assert "Flag this comment" in response.text
    assert session.exec(select(Flag)).all() == []


def test_kudos_without_a_message_answer_the_form_again(session, login):
    giver, receiver = make_user(session), make_user(session)

    response = login(giver).form("/kudos", {"to": str(receiver.id), "message": " "})

    assert response.status_code == 422
    assert "Write a short message" in response.text
    assert session.exec(select(Kudos)).all() == []


def test_an_htmx_comment_error_replaces_the_form_not_the_list(session, login):
    host = make_user(session)
    space = make_space(session, host=host)
    post = make_post(session, author=host, space=space)

    response = login(host).htmx(
        "POST", f"/posts/{post.id}/comments", target="comment-items", data={"body": ""}
    )

    assert response.status_code == 422
    assert response.headers["HX-Retarget"] == "#comment-form"
    assert "Write a comment first" in response.text
    assert "<html" not in response.text
