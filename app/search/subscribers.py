"""The index follows the facts: every change to something findable rewrites its document in
the same transaction. Visibility changes (hiding, scheduling, membership, a space going
private) need no subscriber: queries decide visibility from the sources (app/search/service.py).
"""

from sqlmodel import Session, col, select

from app.domain_events import (
    CommentCreated,
    CommentDeleted,
    CommentEdited,
    EventSaved,
    PersonErasing,
    PersonSaved,
    PostCreated,
    PostDeleted,
    PostEdited,
    ProtocolCreated,
    ProtocolSaved,
    SpaceSaved,
    subscriber,
)
from app.posts.models import Post
from app.protocols.models import Protocol
from app.search import index
from app.search.erasure import erase_from_index
from app.search.models import SearchKind


@subscriber(PostCreated)
def post_created(session: Session, fact: PostCreated) -> None:
    index.save_documents(session, [index.post_document(fact.post)])


@subscriber(PostEdited)
def post_edited(session: Session, fact: PostEdited) -> None:
    index.save_documents(session, [index.post_document(fact.post)])


@subscriber(PostDeleted)
def post_deleted(session: Session, fact: PostDeleted) -> None:
    index.remove_document(session, SearchKind.post, fact.post.id)


@subscriber(CommentCreated)
def comment_created(session: Session, fact: CommentCreated) -> None:
    index.save_documents(session, [index.comment_document(fact.comment, fact.post)])


@subscriber(CommentEdited)
def comment_edited(session: Session, fact: CommentEdited) -> None:
    index.save_documents(session, [index.comment_document(fact.comment, fact.post)])


@subscriber(CommentDeleted)
def comment_deleted(session: Session, fact: CommentDeleted) -> None:
    index.remove_document(session, SearchKind.comment, fact.comment.id)


@subscriber(ProtocolCreated)
def protocol_created(session: Session, fact: ProtocolCreated) -> None:
    index.save_documents(session, [index.protocol_document(fact.protocol)])


@subscriber(ProtocolSaved)
def protocol_saved(session: Session, fact: ProtocolSaved) -> None:
    # The text was written by an UPDATE statement: the loaded object may hold an older one.
    text = session.exec(select(Protocol.text).where(col(Protocol.id) == fact.protocol.id)).one()
    index.save_documents(session, [index.protocol_document(fact.protocol, text)])


@subscriber(EventSaved)
def event_saved(session: Session, fact: EventSaved) -> None:
    index.save_documents(session, [index.event_document(fact.event)])
    # The event's discussion post carries its title and details (app/events/discussion.py).
    if fact.event.discussion_post_id is not None:
        post = session.get(Post, fact.event.discussion_post_id)
        if post is not None and post.deleted_at is None:
            index.save_documents(session, [index.post_document(post)])


@subscriber(SpaceSaved)
def space_saved(session: Session, fact: SpaceSaved) -> None:
    index.save_documents(session, [index.space_document(fact.space)])


@subscriber(PersonSaved)
def person_saved(session: Session, fact: PersonSaved) -> None:
    index.save_documents(session, [index.person_document(fact.user)])


@subscriber(PersonErasing)
def person_erasing(session: Session, fact: PersonErasing) -> None:
    erase_from_index(session, fact)
