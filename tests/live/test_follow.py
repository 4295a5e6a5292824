"""Which live topics a person may follow: asked at every notice, so access lost is access gone."""

from datetime import timedelta

from app.access.live import followers_among, may_follow
from app.access.posts import may_read_post
from app.core.db import utcnow
from app.live.stream import parse_follows
from app.polls.quick import create_poll
from app.spaces.access import access_for
from app.spaces.models import Membership, MemberState
from app.spaces.service import remove_member
from tests.events.factories import make_event
from tests.factories import make_post, make_space, make_user


def test_a_private_space_is_followed_by_its_members_only(session):
    host, member, outsider = (make_user(session) for _ in range(3))
    admin = make_user(session, admin=True)
    space = make_space(session, host=host, visibility="private", members=(member,))
    post = make_post(session, author=host, space=space)
    poll = create_poll(session, user=host, post_id=post.id, question="Tea?", options=["Yes", "No"])
    event = make_event(session, host=host, space=space)
    session.commit()
    topics = [f"post:{post.id}", f"poll:{poll.id}", f"event:{event.id}", f"space:{space.id}"]

    assert all(may_follow(session, member, topic) for topic in topics)
    assert not any(may_follow(session, outsider, topic) for topic in topics)
    # Only those who moderate the space hear of its flags.
    assert may_follow(session, host, f"flags:{space.id}")
    assert not may_follow(session, member, f"flags:{space.id}")
    assert not may_follow(session, admin, f"flags:{space.id}")  # cannot read the private space

    remove_member(session, access=access_for(session, host, space), user_id=member.id)
    session.commit()
    assert not any(may_follow(session, member, topic) for topic in topics)


def test_deleted_posts_deactivated_people_and_unknown_topics_are_never_followed(session):
    host, reader = make_user(session), make_user(session)
    space = make_space(session, host=host, members=(reader,))
    post = make_post(session, author=host, space=space)
    assert may_follow(session, reader, f"post:{post.id}")
    for topic in ("post:999999", "poll:999999", "event:999999", "space:999999", "user:1", "post:x"):
        assert not may_follow(session, reader, topic)
    reader.is_active = False
    assert not may_follow(session, reader, f"post:{post.id}")


def test_a_page_asks_for_a_few_known_topics_only():
    assert parse_follows("post:12,poll:3") == ("post:12", "poll:3")
    assert parse_follows("space:*,flags:*") == ("space:*", "flags:*")
    # No wildcard for single things, no unknown kinds, no one else's notifications, no junk.
    assert parse_follows("post:*,user:5,event:-1,poll:,x,post:1e3, post:7 ") == ("post:7",)
    assert parse_follows("post:1,post:1,post:2,post:3,post:4,post:5") == (
        "post:1",
        "post:2",
        "post:3",
        "post:4",
    )
    assert parse_follows(None) == ()


def test_a_batch_of_readers_gets_the_same_answers_as_each_page_would(session):
    """followers_among sorts readers into classes; each must still get the page's own answer."""
    host, author, member, requester, outsider = (make_user(session) for _ in range(5))
    admin, deactivated = make_user(session, admin=True), make_user(session)
    space = make_space(session, host=host, visibility="private", members=(author, member))
    space.visibility = "public"  # the admin and the outsider can read it now
    add = Membership(space_id=space.id, user_id=requester.id, state=MemberState.requested)
    session.add(add)
    visible = make_post(session, author=author, space=space)
    hidden = make_post(session, author=author, space=space)
    hidden.hidden_at = utcnow()
    scheduled = make_post(session, author=author, space=space)
    scheduled.published_at = utcnow() + timedelta(days=1)
    deactivated.is_active = False
    session.commit()
    people = [host, author, member, requester, outsider, admin, deactivated]
    ids = {p.id for p in people}

    for post in (visible, hidden, scheduled):
        page_rule = {
            p.id
            for p in people
            if p.is_active and may_read_post(post, access_for(session, p, space))
        }
        assert followers_among(session, f"post:{post.id}", ids) == page_rule
    assert followers_among(session, f"post:{hidden.id}", ids) == {host.id, author.id, admin.id}
    assert followers_among(session, f"flags:{space.id}", ids) == {host.id, admin.id}
    readers = {host.id, author.id, member.id, requester.id, outsider.id, admin.id}
    assert followers_among(session, f"space:{space.id}", ids) == readers
