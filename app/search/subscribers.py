"""The index follows the facts: every change to something findable rewrites its document in
the same transaction. Visibility changes (hiding, scheduling, membership, a space going
private) need no subscriber: queries decide visibility from the sources (app/search/service.py).
AGORA_SEARCH_INDEXING=false silences all but erasure, for the write benchmark only.
"""

import functools
from typing import TypeVar

from sqlmodel import Session, col, select

from app.core.config import get_settings
from app.core.domain_events import (
    CommentCreated,
    CommentDeleted,
    CommentEdited,
    DomainEvent,
    EventSaved,
    PersonErasing,
    PersonSaved,
    PostCreated,
    PostDeleted,
    PostEdited,
    ProtocolCreated,
    ProtocolSaved,
    SpaceSaved,
    Subscriber,
    subscriber,
)
from app.posts.models import Post
from app.protocols.models import Protocol
from app.search import index
from app.search.erasure import erase_from_index
from app.search.models import SearchKind

E = TypeVar("E", bound=DomainEvent)


def _while_indexing(function: Subscriber[E]) -> Subscriber[E]:
    @functools.wraps(function)
    def maintain(session: Session, fact: E) -> None:
        if get_settings().search_indexing:
            function(session, fact)

    return maintain


@subscriber(PostCreated)
@_while_indexing
def post_created(session: Session, fact: PostCreated) -> None:
    index.save_documents(session, [index.post_document(fact.post)])


@subscriber(PostEdited)
@_while_indexing
def post_edited(session: Session, fact: PostEdited) -> None:
    index.save_documents(session, [index.post_document(fact.post)])


@subscriber(PostDeleted)
@_while_indexing
def post_deleted(session: Session, fact: PostDeleted) -> None:
    index.remove_document(session, SearchKind.post, fact.post.id)


@subscriber(CommentCreated)
@_while_indexing
def comment_created(session: Session, fact: CommentCreated) -> None:
    index.save_documents(session, [index.comment_document(fact.comment, fact.post)])


@subscriber(CommentEdited)
@_while_indexing
def comment_edited(session: Session, fact: CommentEdited) -> None:
    index.save_documents(session, [index.comment_document(fact.comment, fact.post)])


@subscriber(CommentDeleted)
@_while_indexing
def comment_deleted(session: Session, fact: CommentDeleted) -> None:
    index.remove_document(session, SearchKind.comment, fact.comment.id)


@subscriber(ProtocolCreated)
@_while_indexing
def protocol_created(session: Session, fact: ProtocolCreated) -> None:
    index.save_documents(session, [index.protocol_document(fact.protocol)])


@subscriber(ProtocolSaved)
@_while_indexing
def protocol_saved(session: Session, fact: ProtocolSaved) -> None:
    # The text was written by an UPDATE statement: the loaded object may hold an older one.
    text = session.exec(select(Protocol.text).where(col(Protocol.id) == fact.protocol.id)).one()
    index.save_documents(session, [index.protocol_document(fact.protocol, text)])


@subscriber(EventSaved)
@_while_indexing
def event_saved(session: Session, fact: EventSaved) -> None:
    index.save_documents(session, [index.event_document(fact.event)])
    # The event's discussion post carries its title and details (app/events/discussion.py).
    if fact.event.discussion_post_id is not None:
        post = session.get(Post, fact.event.discussion_post_id)
        if post is not None and post.deleted_at is None:
            index.save_documents(session, [index.post_document(post)])


@subscriber(SpaceSaved)
@_while_indexing
def space_saved(session: Session, fact: SpaceSaved) -> None:
    index.save_documents(session, [index.space_document(fact.space)])


@subscriber(PersonSaved)
@_while_indexing
def person_saved(session: Session, fact: PersonSaved) -> None:
    index.save_documents(session, [index.person_document(fact.user)])


@subscriber(PersonErasing)
def person_erasing(session: Session, fact: PersonErasing) -> None:
    erase_from_index(session, fact)
