"""Immediate mails through the outbox, against a real SMTP server."""

from datetime import timedelta

from sqlmodel import select

from app.core.db import utcnow
from app.mail.models import OutboxMessage
from app.mail.outbox import MAX_ATTEMPTS, deliver_outbox
from app.mail.preferences import update_choices
from app.people.service import set_active
from app.spaces.access import access_for
from app.spaces.service import remove_member
from tests.factories import make_comment, make_post, make_space, make_user
from tests.mail.conftest import html_part, text_part


def _outbox(session):
    session.expire_all()
    return session.exec(select(OutboxMessage).order_by(OutboxMessage.id)).all()


def test_a_mention_is_emailed_once_in_the_recipients_language(session, inbox):
    author = make_user(session, name="Anna")
    reader = make_user(session, name="Ben", locale="de")
    space = make_space(session, host=author, members=(reader,))
    make_post(session, author=author, space=space, title="Plan", body=f"Hi @{reader.handle}!")

    assert deliver_outbox(session) == 1
    assert deliver_outbox(session) == 0  # never twice

    [message] = inbox.to(reader.email)
    assert "Anna" in message["Subject"] and "Plan" in message["Subject"]
    body = text_part(message)
    assert "Hallo Ben" in body
    assert "http://testserver/posts/" in body
    assert "Hallo Ben" in html_part(message)
    assert message["List-Unsubscribe"].startswith("<http://testserver/unsubscribe/")
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert message["From"] == "Agora <agora@example.com>"


def test_a_kind_in_the_digest_or_off_is_not_emailed_right_away(session, inbox):
    author, reader = make_user(session), make_user(session)
    space = make_space(session, host=author, members=(reader,))
    post = make_post(session, author=reader, space=space)
    make_comment(session, author=author, post=post)  # a reply: in the digest by default
    update_choices(session, user_id=reader.id, email={"mention": "off"})
    session.commit()
    make_post(session, author=author, space=space, body=f"@{reader.handle}")

    assert _outbox(session) == []
    assert deliver_outbox(session) == 0


def test_nothing_is_queued_without_an_smtp_server(session):
    author, reader = make_user(session), make_user(session)
    space = make_space(session, host=author, members=(reader,))
    make_post(session, author=author, space=space, body=f"@{reader.handle}")
    assert _outbox(session) == []


def test_the_mail_is_queued_in_the_transaction_of_its_cause(session, mail_settings):
    author, reader = make_user(session), make_user(session)
    space = make_space(session, host=author, members=(reader,))
    from app.posts.service import create_post

    create_post(
        session, access=access_for(session, author, space), title="T", body=f"@{reader.handle}"
    )
    session.rollback()
    assert _outbox(session) == []


def test_the_outbox_retries_while_the_server_is_down_then_delivers_once(
    session, smtp_server, mail_settings
):
    author, reader = make_user(session), make_user(session)
    space = make_space(session, host=author, members=(reader,))
    smtp_server.stop()
    make_post(session, author=author, space=space, body=f"@{reader.handle}")

    assert deliver_outbox(session) == 0
    [row] = _outbox(session)
    assert row.attempts == 1 and row.sent_at is None and row.parked_at is None
    assert "Connection" in row.last_error or "refused" in row.last_error.lower()
    assert deliver_outbox(session) == 0  # not due yet: it waits its back-off

    smtp_server.start()
    assert deliver_outbox(session, now=utcnow() + timedelta(minutes=2)) == 1
    assert deliver_outbox(session, now=utcnow() + timedelta(days=1)) == 0
    assert len(smtp_server.inbox.to(reader.email)) == 1


def test_a_message_that_keeps_failing_is_parked(session, inbox):
    author, reader = make_user(session), make_user(session)
    space = make_space(session, host=author, members=(reader,))
    make_post(session, author=author, space=space, body=f"@{reader.handle}")
    inbox.refuse = True
    later = utcnow()
    for _ in range(MAX_ATTEMPTS):
        later += timedelta(days=1)
        deliver_outbox(session, now=later)
    [row] = _outbox(session)
    assert row.parked_at is not None and row.attempts == MAX_ATTEMPTS
    assert "451" in row.last_error
    assert deliver_outbox(session, now=later + timedelta(days=30)) == 0
    assert inbox.messages == []


def test_a_claimed_message_is_not_sent_by_another_sender(session, inbox):
    author, reader = make_user(session), make_user(session)
    space = make_space(session, host=author, members=(reader,))
    make_post(session, author=author, space=space, body=f"@{reader.handle}")
    from app.mail.outbox import _claim

    _token, claimed = _claim(session, utcnow(), 50)
    session.commit()
    assert len(claimed) == 1
    assert deliver_outbox(session) == 0  # another process: the claim holds
    assert inbox.messages == []


def test_no_mail_for_a_deactivated_person(session, inbox):
    admin = make_user(session, admin=True)
    reader = make_user(session)
    space = make_space(session, host=admin, members=(reader,))
    make_post(session, author=admin, space=space, body=f"@{reader.handle}")
    set_active(session, user=reader, active=False, actor=admin)
    session.commit()
    assert deliver_outbox(session) == 0
    assert inbox.messages == []


def test_a_private_spaces_mail_is_withheld_from_someone_who_left_it(session, inbox):
    host, member = make_user(session), make_user(session)
    space = make_space(session, host=host, visibility="private", members=(member,))
    make_post(session, author=host, space=space, title="Secret plan", body=f"@{member.handle}")
    remove_member(session, access=access_for(session, host, space), user_id=member.id)
    session.commit()

    assert deliver_outbox(session) == 0
    assert inbox.messages == []
    [row] = _outbox(session)
    assert row.parked_at is not None and row.last_error.startswith("withheld")


def test_an_invitation_is_emailed_in_the_invited_persons_language(session, inbox, login):
    admin = make_user(session, admin=True)
    page = login(admin).form(
        "/admin/people/invite", {"email": "new@example.com", "display_name": "Nora New"}
    )
    assert page.status_code == 200 and "by email" in page.text
    assert deliver_outbox(session) == 1
    [message] = inbox.to("new@example.com")
    assert admin.display_name in message["Subject"]
    body = text_part(message)
    assert "Hello Nora New" in body and "http://testserver/invite/" in body
    assert "Unsubscribe" not in body and message["List-Unsubscribe"] is None
