"""Files join the content that references them when it is saved (see attach_referenced)."""

from sqlmodel import Session, col, select

from app.core.domain_events import (
    CommentCreated,
    CommentEdited,
    EventSaved,
    PostCreated,
    PostEdited,
    ProtocolCreated,
    ProtocolSaved,
    subscriber,
)
from app.posts.models import Comment, Post
from app.protocols.models import Protocol
from app.uploads.models import AttachedTo
from app.uploads.service import attach_referenced, move_attached


@subscriber(PostCreated)
def post_created(session: Session, fact: PostCreated) -> None:
    _post(session, fact.post)


@subscriber(PostEdited)
def post_edited(session: Session, fact: PostEdited) -> None:
    _post(session, fact.post)


def _post(session: Session, post: Post) -> None:
    attach_referenced(
        session,
        texts=[post.body],
        kind=AttachedTo.post,
        target_id=post.id or 0,
        space_id=post.space_id,
        actor_id=post.author_id,
    )


@subscriber(CommentCreated)
def comment_created(session: Session, fact: CommentCreated) -> None:
    _comment(session, fact.post, fact.comment)


@subscriber(CommentEdited)
def comment_edited(session: Session, fact: CommentEdited) -> None:
    _comment(session, fact.post, fact.comment)


def _comment(session: Session, post: Post, comment: Comment) -> None:
    attach_referenced(
        session,
        texts=[comment.body],
        kind=AttachedTo.comment,
        target_id=comment.id or 0,
        space_id=post.space_id,
        actor_id=comment.author_id,
    )


@subscriber(ProtocolCreated)
def protocol_created(session: Session, fact: ProtocolCreated) -> None:
    _protocol(session, fact.protocol, fact.protocol.created_by_id)


@subscriber(ProtocolSaved)
def protocol_saved(session: Session, fact: ProtocolSaved) -> None:
    _protocol(session, fact.protocol, fact.by_id)


def _protocol(session: Session, protocol: Protocol, actor_id: int | None) -> None:
    # The text may have been written by an UPDATE statement: read what is stored.
    text = session.exec(select(Protocol.text).where(col(Protocol.id) == protocol.id)).one()
    attach_referenced(
        session,
        texts=[text],
        kind=AttachedTo.protocol,
        target_id=protocol.id or 0,
        space_id=protocol.space_id,
        actor_id=actor_id,
    )


@subscriber(EventSaved)
def event_saved(session: Session, fact: EventSaved) -> None:
    # The event's discussion post repeats its description and is saved first, so it took the
    # description's files: they belong to the event, whose pictures must not vanish when that
    # post is deleted or hidden.
    if fact.event.discussion_post_id is not None:
        move_attached(
            session,
            texts=[fact.event.description],
            source=(AttachedTo.post, fact.event.discussion_post_id),
            target=(AttachedTo.event, fact.event.id or 0),
        )
    # A host may edit someone else's event: any active member's files may join it.
    attach_referenced(
        session,
        texts=[fact.event.description],
        kind=AttachedTo.event,
        target_id=fact.event.id or 0,
        space_id=fact.event.space_id,
        actor_id=None,
    )
