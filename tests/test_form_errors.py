"""web.form_error: a failed form comes back with its message and what was typed (422), and
nothing of the failed action is kept."""

from sqlmodel import select

from app.announcements.models import SitePin
from app.moderation.models import Flag
from app.posts.models import Post
from app.recognition.models import Kudos
from app.showcase.models import ShowcaseEntry, ShowcaseTag
from app.spaces.models import Space
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


def test_a_prompt_with_a_bad_time_keeps_what_the_host_typed(session, login):
    host = make_user(session)
    space = make_space(session, host=host)

    response = login(host).form(
        f"/spaces/{space.slug}/prompts",
        {"question": "What saved you an hour?", "context": "Tools welcome", "publish_at": "soon"},
    )

    assert response.status_code == 422
    assert 'value="What saved you an hour?"' in response.text
    assert "Tools welcome" in response.text
    assert 'value="soon"' in response.text
    assert session.exec(select(Post).where(Post.space_id == space.id)).all() == []


def test_a_showcase_with_a_bad_link_keeps_the_tags_and_saves_nothing(session, login):
    host = make_user(session)
    space = make_space(session, host=host)
    post = make_post(session, author=host, space=space)

    response = login(host).form(
        f"/posts/{post.id}/showcase",
        {"tags": "retros, rituals", "origin": "external", "external_url": "ftp://x"},
    )

    assert response.status_code == 422
    assert 'value="retros, rituals"' in response.text
    assert 'value="external" checked' in response.text
    assert session.exec(select(ShowcaseEntry)).all() == []
    assert session.exec(select(ShowcaseTag)).all() == []


def test_a_home_pin_with_a_bad_day_keeps_it_and_pins_nothing(session, login):
    admin = make_user(session, admin=True)
    space = make_space(session, host=admin)
    post = make_post(session, author=admin, space=space, kind="announcement")

    response = login(admin).form(f"/posts/{post.id}/home-pin", {"expires_at": "next friday"})

    assert response.status_code == 422
    assert "Enter a date" in response.text
    assert 'value="next friday"' in response.text
    assert session.exec(select(SitePin)).all() == []


def test_a_refused_space_keeps_the_form_and_creates_nothing(session, login):
    person = make_user(session)

    response = login(person).form(
        "/spaces",
        {
            "name": "Skunkworks",
            "description": "Quiet",
            "visibility": "secret",
            "join_policy": "open",
        },
    )

    assert response.status_code == 422
    assert "only be joined by invitation" in response.text
    assert 'value="Skunkworks"' in response.text and "Quiet" in response.text
    assert session.exec(select(Space).where(Space.name == "Skunkworks")).all() == []


def test_a_form_id_that_no_form_sends_is_refused_before_the_handler(session, login):
    admin, person = make_user(session, admin=True), make_user(session)
    client = login(admin)

    for bad in ("x", "0", str(2**31)):
        response = client.form(
            "/admin/recognition/awards", {"badge_id": bad, "email": person.email, "reason": "r"}
        )
        assert response.status_code == 422
        assert "Some of the input was not valid" in response.text
