"""Live topics: whether a person may follow one, asked again each time the topic changes.

A page's stream follows the topics of what it shows (hub.py names them); every notice is
checked here for the reader at send time, so a comment in a private space never wakes an
outsider's page, and a person removed from a space stops hearing of it at once.
"""

from sqlmodel import Session

from app.access.events import load_event
from app.access.posts import may_read_post
from app.access.protocols import protocol_access
from app.access.spaces import access_for, load_with_space_access
from app.errors import NotFound
from app.people.models import User
from app.polls.models import Poll
from app.posts.models import Post
from app.spaces.models import Space


def may_follow(session: Session, user: User, topic: str) -> bool:
    """True when `topic` (e.g. "post:12", "space:3") is about something `user` may see now."""
    kind, _colon, raw_id = topic.partition(":")
    if not raw_id.isdigit() or not user.is_active:
        return False
    row_id = int(raw_id)
    if kind == "poll":
        poll = session.get(Poll, row_id)
        if poll is None:
            return False
        if poll.post_id is None:  # a poll beside a protocol: the protocol's readers
            return _may_read_protocol(session, user, poll.protocol_id)
        kind, row_id = "post", poll.post_id
    if kind == "post":
        found = load_with_space_access(session, user=user, model=Post, row_id=row_id)
        return found is not None and may_read_post(found[0], found[1])
    if kind == "event":
        try:
            load_event(session, user=user, event_id=row_id)
        except NotFound:
            return False
        return True
    if kind in ("space", "flags"):
        space = session.get(Space, row_id)
        if space is None:
            return False
        access = access_for(session, user, space)
        return access.can_moderate if kind == "flags" else access.can_read
    return False


def _may_read_protocol(session: Session, user: User, protocol_id: int | None) -> bool:
    if protocol_id is None:
        return False
    try:
        protocol_access(session, user, protocol_id)
    except NotFound:
        return False
    return True
