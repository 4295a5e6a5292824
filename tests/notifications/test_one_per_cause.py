"""One notification per person per cause."""

from sqlmodel import select

from app.notifications.models import Notification
from tests.factories import make_comment, make_post, make_space, make_user


def test_a_comment_that_mentions_the_posts_author_notifies_them_once(session):
    author, commenter = make_user(session), make_user(session)
    space = make_space(session, host=author, members=(commenter,))
    post = make_post(session, author=author, space=space)
    make_comment(session, author=commenter, post=post, body=f"Right, @{author.handle}?")

    kinds = session.exec(select(Notification.kind).where(Notification.user_id == author.id)).all()
    assert kinds == ["mention"]


def test_a_comment_without_a_mention_still_tells_the_posts_author(session):
    author, commenter = make_user(session), make_user(session)
    space = make_space(session, host=author, members=(commenter,))
    post = make_post(session, author=author, space=space)
    make_comment(session, author=commenter, post=post)
    kinds = session.exec(select(Notification.kind).where(Notification.user_id == author.id)).all()
    assert kinds == ["comment"]
