"""Live topics: who may follow one, asked again each time the topic changes.

A page's stream follows the topics of what it shows (app/live/hub.py names them); every notice is
checked here for its readers at send time, so a comment in a private space never wakes an
outsider's page, and a person removed from a space stops hearing of it at once. The streams a
notice wakes in one process are checked together: a few queries per topic, however many streams
are open, and each person's access is decided by the same rules as a page (SpaceAccess).

SpaceAccess decides from what a person is (site role), their membership of the space (state,
role) and whether the thing is their own (its author or creator); nothing else of them. So the
readers are read as those few columns, in one query, and sorted into classes alike in all of
them; the rule is asked once per class, of its first person's real rows. A thousand members of
a space make a handful of classes (members, hosts, the author), not a thousand ORM objects.
"""

from collections.abc import Collection
from typing import Any

from sqlalchemy import and_
from sqlmodel import Session, col, select

from app.access.events import EventAccess
from app.access.posts import may_read_post
from app.access.spaces import SpaceAccess
from app.events.models import Event
from app.people.models import User
from app.polls.models import Poll
from app.posts.models import Post
from app.protocols.models import Protocol
from app.spaces.models import Membership, Space


def _target(session: Session, kind: str, row_id: int) -> tuple[str, Any, Space] | None:
    """What the topic is about (a poll is about its post or protocol), and its space; None when
    gone."""
    if kind == "poll":
        poll = session.get(Poll, row_id)
        if poll is None:
            return None
        if poll.post_id is not None:
            kind, row_id = "post", poll.post_id
        elif poll.protocol_id is not None:  # a poll beside a protocol: the protocol's readers
            kind, row_id = "protocol", poll.protocol_id
        else:
            return None
    model: Any = {
        "post": Post,
        "event": Event,
        "protocol": Protocol,
        "space": Space,
        "flags": Space,
    }.get(kind)
    thing = session.get(model, row_id) if model is not None else None
    if thing is None:
        return None
    space = thing if isinstance(thing, Space) else session.get(Space, thing.space_id)
    return (kind, thing, space) if space is not None else None


def _allows(kind: str, thing: Any, access: SpaceAccess) -> bool:
    if kind == "post":
        return may_read_post(thing, access)
    if kind == "event":
        return EventAccess(event=thing, space=access).can_read
    return access.can_moderate if kind == "flags" else access.can_read


def _own_people(thing: Any) -> set[int]:
    """Who the thing belongs to: the policy may treat them apart (their own hidden post)."""
    return {
        person
        for person in (getattr(thing, "author_id", None), getattr(thing, "created_by_id", None))
        if person is not None
    }


def followers_among(session: Session, topic: str, user_ids: Collection[int]) -> set[int]:
    """Of these people, those who may follow `topic` (e.g. "post:12", "space:3") now."""
    kind, _colon, raw_id = topic.partition(":")
    if not raw_id.isdigit() or not user_ids:
        return set()
    found = _target(session, kind, int(raw_id))
    if found is None:
        return set()
    kind, thing, space = found
    rows = session.exec(
        select(User.id, User.site_role, Membership.state, Membership.role)
        .outerjoin(
            Membership,
            and_(col(Membership.user_id) == User.id, col(Membership.space_id) == space.id),
        )
        .where(col(User.id).in_(list(user_ids)), col(User.is_active))
    ).all()
    owners = _own_people(thing)
    classes: dict[tuple[Any, ...], list[int]] = {}
    for user_id, site_role, state, role in rows:
        own = user_id if user_id in owners else None
        classes.setdefault((own, site_role, state, role), []).append(user_id)  # type: ignore[arg-type]
    allowed: set[int] = set()
    for people in classes.values():
        person = session.get(User, people[0])
        membership = session.exec(
            select(Membership).where(
                col(Membership.space_id) == space.id, col(Membership.user_id) == people[0]
            )
        ).first()
        if person is not None and _allows(kind, thing, SpaceAccess(space, membership, person)):
            allowed.update(people)
    return allowed


def may_follow(session: Session, user: User, topic: str) -> bool:
    """True when `topic` is about something `user` may see now."""
    return user.is_active and user.id in followers_among(session, topic, {user.id})  # type: ignore[arg-type]
