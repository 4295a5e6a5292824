"""A reply to a comment tells (and, as they chose, emails) the comment's author, once; an event's
change email carries the event as a calendar file."""

from datetime import timedelta

from sqlmodel import select

from app.events.rsvp import set_rsvp
from app.events.service import update_event
from app.mail.outbox import deliver_outbox
from app.mail.preferences import update_choices
from app.notifications.models import Notification
from app.posts.service import add_comment
from tests.events.factories import event_input, make_event, soon
from tests.factories import make_comment, make_post, make_space, make_token, make_user
from tests.mail.conftest import text_part


def _kinds(session, user):
    session.expire_all()
    query = select(Notification.kind).where(Notification.user_id == user.id)
    return sorted(session.exec(query).all())


def test_a_reply_is_emailed_to_the_author_of_the_comment_it_answers(session, inbox):
    host, commenter, replier = (make_user(session, name=n) for n in ("Hana", "Carl", "Rita"))
    space = make_space(session, host=host, members=(commenter, replier))
    post = make_post(session, author=host, space=space, title="Office move")
    comment = make_comment(session, author=commenter, post=post, body="Which floor?")
    update_choices(session, user_id=commenter.id, email={"reply": "immediately"})
    session.commit()

    add_comment(session, user=replier, post_id=post.id, body="Third.", parent_id=comment.id)
    session.commit()
    assert _kinds(session, commenter) == ["reply"]
    assert _kinds(session, host) == ["comment", "comment"]  # the post's author, as before

    deliver_outbox(session)
    [message] = inbox.to(commenter.email)
    assert "Rita replied to your comment on “Office move”" in message["Subject"]
    assert "Third." in text_part(message)
    assert inbox.to(host.email) == []  # comments on one's post: in the digest by default


def test_one_notification_per_person_per_reply(session):
    host, replier = make_user(session), make_user(session)
    space = make_space(session, host=host, members=(replier,))
    post = make_post(session, author=host, space=space)
    own = make_comment(session, author=host, post=post)
    # The post's author answered in their own post: told once, as its author.
    add_comment(session, user=replier, post_id=post.id, body="Yes", parent_id=own.id)
    mine = make_comment(session, author=replier, post=post)
    # Replying to oneself tells nobody; mentioning the comment's author tells them once.
    add_comment(session, user=replier, post_id=post.id, body="Also", parent_id=mine.id)
    other = make_comment(session, author=host, post=post)
    add_comment(
        session, user=replier, post_id=post.id, body=f"@{host.handle} ok", parent_id=other.id
    )
    session.commit()
    # Three comments on the host's post, then the one that mentions them: never "reply" too.
    assert _kinds(session, host) == ["comment", "comment", "comment", "mention"]
    assert _kinds(session, replier) == []


def test_the_api_takes_a_reply_to_a_comment_of_the_same_post_only(session, client):
    host = make_user(session)
    space = make_space(session, host=host)
    post, other = (
        make_post(session, author=host, space=space),
        make_post(session, author=host, space=space),
    )
    comment = make_comment(session, author=host, post=post)
    elsewhere = make_comment(session, author=host, post=other)
    headers = {"Authorization": f"Bearer {make_token(session, user=host)}"}
    url = f"/api/v1/posts/{post.id}/comments"
    ok = client.post(url, json={"body": "Re", "parent_id": comment.id}, headers=headers)
    assert ok.status_code == 201
    wrong = client.post(url, json={"body": "Re", "parent_id": elsewhere.id}, headers=headers)
    assert wrong.status_code == 422
    assert client.post(url, json={"body": "Re", "parent_id": 0}, headers=headers).status_code == 422


def test_an_event_change_email_carries_the_event_as_a_calendar_file(session, inbox):
    host, guest = make_user(session), make_user(session, name="Gina")
    space = make_space(session, host=host, members=(guest,))
    event = make_event(session, host=host, space=space, title="Team lunch")
    set_rsvp(session, user=guest, event_id=event.id, status="going")
    session.commit()
    later = soon() + timedelta(days=1)
    update_event(
        session, user=host, event_id=event.id, data=event_input(title="Team lunch", start=later)
    )
    session.commit()

    deliver_outbox(session)
    [message] = inbox.to(guest.email)
    [calendar] = list(message.iter_attachments())
    assert calendar.get_content_type() == "text/calendar"
    assert calendar.get_filename() == "event.ics"
    ics = calendar.get_content()
    assert "BEGIN:VEVENT" in ics and "Team lunch" in ics
    assert "Team lunch" in text_part(message)
