"""Each service publishes the facts search (and later live updates and mail) depend on."""

from collections.abc import Callable
from typing import Any

import pytest
from sqlmodel import Session

from app.core import domain_events
from app.core.domain_events import (
    CommentDeleted,
    CommentEdited,
    DomainEvent,
    EventSaved,
    PersonSaved,
    PostDeleted,
    PostEdited,
    ProtocolCreated,
    SpaceSaved,
)
from app.events.service import cancel_event, update_event
from app.people.service import set_active, update_profile
from app.posts.service import delete_comment, delete_post, update_comment, update_post
from app.protocols.service import create_protocol
from app.spaces.access import access_for
from app.spaces.service import set_archived, update_space
from tests.events.factories import event_input, make_event
from tests.factories import make_comment, make_post, make_space, make_user

Recorded = Callable[[type[DomainEvent]], list[Any]]


@pytest.fixture
def published(monkeypatch: pytest.MonkeyPatch) -> Recorded:
    """published(FactType) -> the facts of that type published during the test."""
    domain_events.load_subscribers()
    registry = {kind: list(functions) for kind, functions in domain_events._subscribers.items()}
    monkeypatch.setattr(domain_events, "_subscribers", registry)
    seen: list[DomainEvent] = []
    for kind in (
        PostEdited,
        PostDeleted,
        CommentEdited,
        CommentDeleted,
        EventSaved,
        ProtocolCreated,
        SpaceSaved,
        PersonSaved,
    ):
        domain_events.subscriber(kind)(lambda _session, fact: seen.append(fact))
    return lambda kind: [fact for fact in seen if type(fact) is kind]


def test_post_and_comment_edits_and_deletions(session: Session, published: Recorded) -> None:
    author = make_user(session)
    space = make_space(session, host=author)
    post = make_post(session, author=author, space=space)
    comment = make_comment(session, author=author, post=post)
    update_post(session, user=author, post_id=post.id, body="new")  # type: ignore[arg-type]
    update_comment(session, user=author, comment_id=comment.id, body="new")  # type: ignore[arg-type]
    delete_comment(session, user=author, comment_id=comment.id)  # type: ignore[arg-type]
    delete_post(session, user=author, post_id=post.id)  # type: ignore[arg-type]
    assert [f.post.id for f in published(PostEdited)] == [post.id]
    assert [f.comment.id for f in published(CommentEdited)] == [comment.id]
    assert [f.comment.id for f in published(CommentDeleted)] == [comment.id]
    assert [f.post.id for f in published(PostDeleted)] == [post.id]


def test_spaces_and_people(session: Session, published: Recorded) -> None:
    host = make_user(session)
    other = make_user(session)
    space = make_space(session, host=host)
    access = access_for(session, host, space)
    update_space(
        session,
        access=access,
        name="Renamed",
        description="",
        visibility="public",
        join_policy="open",
    )
    set_archived(session, access=access, archived=True)
    update_profile(
        session,
        user=other,
        display_name="New Name",
        title="",
        department="",
        locale="en",
        time_zone="UTC",
    )
    set_active(session, user=other, active=False, actor=host)
    # Created (by the factory), renamed, archived; two accounts created, one renamed, one closed.
    assert [f.space.id for f in published(SpaceSaved)] == [space.id] * 3
    assert [f.user.id for f in published(PersonSaved)] == [host.id, other.id, other.id, other.id]


def test_events_and_protocols(session: Session, published: Recorded) -> None:
    host = make_user(session)
    space = make_space(session, host=host)
    event = make_event(session, host=host, space=space)
    update_event(session, user=host, event_id=event.id, data=event_input(title="Moved"))  # type: ignore[arg-type]
    cancel_event(session, user=host, event_id=event.id)  # type: ignore[arg-type]
    protocol = create_protocol(session, access=access_for(session, host, space), title="Minutes")
    assert [f.event.id for f in published(EventSaved)] == [event.id] * 3
    assert [f.protocol.id for f in published(ProtocolCreated)] == [protocol.id]
