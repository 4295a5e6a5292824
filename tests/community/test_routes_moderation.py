"""Flag, review and decide through the pages, as a browser would."""

from sqlmodel import select

from app.moderation.models import Flag
from app.people.models import AuditEntry
from tests.factories import make_comment, make_post, make_space, make_user


def _world(session):
    host, author, reader = make_user(session), make_user(session), make_user(session)
    outsider = make_user(session)
    space = make_space(session, host=host, members=(author, reader))
    post = make_post(session, author=author, space=space, title="Flag me", body="Some words")
    return host, author, reader, outsider, space, post


def test_a_reader_flags_a_post_with_a_preset_reason_and_own_words(session, login):
    _host, _author, reader, _outsider, _space, post = _world(session)
    client = login(reader)

    form = client.get(f"/posts/{post.id}/flag")
    assert form.status_code == 200
    assert "never your name" in form.text
    response = client.form(f"/posts/{post.id}/flag", {"reason": "spam", "detail": "Buy now"})

    assert response.status_code == 303
    assert response.headers["location"] == f"/posts/{post.id}?flagged=1"
    assert session.exec(select(Flag)).one().reason == "spam: Buy now"
    assert "moderators will look at it" in client.get(response.headers["location"]).text


def test_a_flag_without_a_reason_is_a_clear_422(session, login):
    _host, _author, reader, _outsider, _space, post = _world(session)
    response = login(reader).form(f"/posts/{post.id}/flag", {"reason": "bogus", "detail": ""})
    assert response.status_code == 422
    assert "Tell the moderators what is wrong" in response.text
    assert session.exec(select(Flag)).all() == []


def test_comments_have_a_flag_link_and_form(session, login):
    _host, author, reader, _outsider, _space, post = _world(session)
    comment = make_comment(session, author=author, post=post, body="Hmm")
    client = login(reader)
    assert f"/comments/{comment.id}/flag" in client.get(f"/posts/{post.id}").text

    response = client.form(f"/comments/{comment.id}/flag", {"reason": "offensive"})

    assert response.status_code == 303
    assert session.exec(select(Flag)).one().target_type == "comment"


def test_outsiders_cannot_flag_in_closed_spaces(session, login):
    host, outsider = make_user(session), make_user(session)
    private = make_space(session, host=host, visibility="private")
    post = make_post(session, author=host, space=private)
    client = login(outsider)
    assert client.get(f"/posts/{post.id}/flag").status_code == 404
    assert client.form(f"/posts/{post.id}/flag", {"reason": "spam"}).status_code == 404


def test_the_host_hides_from_the_queue_and_the_author_sees_why(session, login):
    host, author, reader, outsider, space, post = _world(session)
    login(reader).form(f"/posts/{post.id}/flag", {"reason": "confidential"})
    host_client = login(host)

    queue = host_client.get("/moderation")
    assert "Flag me" in queue.text and "confidential" in queue.text
    flag = session.exec(select(Flag)).one()
    response = host_client.form(
        f"/moderation/flags/{flag.id}", {"action": "hide", "note": "Contains a customer name"}
    )
    assert response.status_code == 303
    assert "Done." in host_client.get(response.headers["location"]).text

    author_client = login(author)
    page = author_client.get(f"/posts/{post.id}")
    assert "Hidden by a moderator" in page.text
    assert "Why is it hidden?" in page.text
    notes = author_client.get(f"/posts/{post.id}/moderation")
    assert "Contains a customer name" in notes.text
    assert "Contains a customer name" in author_client.get("/notifications").text
    assert login(outsider).get(f"/posts/{post.id}").status_code == 404
    assert "Flag me" not in login(reader).get(f"/spaces/{space.slug}").text
    assert session.exec(select(AuditEntry).where(AuditEntry.action == "moderation.hide")).one()


def test_members_get_an_empty_queue_and_cannot_act(session, login):
    _host, _author, reader, _outsider, space, post = _world(session)
    login(make_user(session)).form(f"/posts/{post.id}/flag", {"reason": "spam"})
    client = login(reader)
    assert "Nothing to review" in client.get("/moderation").text
    assert client.get(f"/moderation?space={space.slug}").status_code == 403
    flag = session.exec(select(Flag)).one()
    assert client.form(f"/moderation/flags/{flag.id}", {"action": "hide"}).status_code == 403


def test_acting_twice_is_a_conflict_not_a_second_decision(session, login):
    host, _author, reader, _outsider, _space, post = _world(session)
    login(reader).form(f"/posts/{post.id}/flag", {"reason": "spam"})
    client = login(host)
    flag = session.exec(select(Flag)).one()
    assert client.form(f"/moderation/flags/{flag.id}", {"action": "dismiss"}).status_code == 303
    again = client.form(f"/moderation/flags/{flag.id}", {"action": "warn"})
    assert again.status_code == 409
    assert "already handled" in again.text


def test_a_moderator_restores_hidden_content_from_its_decisions_page(session, login):
    host, author, reader, outsider, _space, post = _world(session)
    login(reader).form(f"/posts/{post.id}/flag", {"reason": "spam"})
    client = login(host)
    flag = session.exec(select(Flag)).one()
    client.form(f"/moderation/flags/{flag.id}", {"action": "hide", "note": "Looks like spam"})
    decisions = client.get(f"/posts/{post.id}/moderation")
    assert 'value="restore"' in decisions.text
    assert 'value="restore"' not in login(author).get(f"/posts/{post.id}/moderation").text

    response = client.form(
        f"/moderation/flags/{flag.id}",
        {"action": "restore", "back": f"/posts/{post.id}/moderation"},
    )

    assert response.headers["location"] == f"/posts/{post.id}/moderation?done=restore"
    assert login(outsider).get(f"/posts/{post.id}").status_code == 200
    assert 'value="restore"' not in client.get(f"/posts/{post.id}/moderation").text
    login(make_user(session)).form(f"/posts/{post.id}/flag", {"reason": "offensive"})
    new_flag = session.exec(select(Flag).where(Flag.state == "open")).one()
    elsewhere = client.form(
        f"/moderation/flags/{new_flag.id}", {"action": "dismiss", "back": "https://evil.example"}
    )
    assert elsewhere.headers["location"] == "/moderation?done=dismiss"  # never off-site
