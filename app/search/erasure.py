"""The index forgets an erased person (app/people/erasure.py): their person document, the
documents of what was deleted with them, the author link of what stays, and their name in the
documents of posts, comments, protocols, events and spaces, rebuilt from the sources that
their domains rewrote just before (they subscribe first: app/core/domain_events.py).
"""

from collections.abc import Callable
from typing import Any

from sqlalchemy import delete, func, or_, update
from sqlmodel import Session, col, select

from app.core.domain_events import PersonErasing
from app.events.models import Event
from app.people.erasure import name_terms
from app.posts.models import Comment, Post
from app.protocols.models import Protocol
from app.search import index
from app.search.models import SearchDocument, SearchKind
from app.spaces.models import Space


def erase_from_index(session: Session, fact: PersonErasing) -> None:
    user = fact.user
    index.remove_document(session, SearchKind.person, user.id)
    session.flush()
    for kind, model in ((SearchKind.post, Post), (SearchKind.comment, Comment)):
        session.execute(
            delete(SearchDocument).where(
                col(SearchDocument.kind) == kind.value,
                col(SearchDocument.target_id).not_in(select(model.id)),
            )
        )
    session.execute(
        update(SearchDocument)
        .where(col(SearchDocument.author_id) == user.id)
        .values(author_id=None)
    )
    naming = select(SearchDocument.kind, SearchDocument.target_id).where(
        col(SearchDocument.kind) != SearchKind.person.value,
        or_(
            *(
                func.lower(column).contains(name.lower(), autoescape=True)
                for name in name_terms(user)
                for column in (SearchDocument.title, SearchDocument.body)
            )
        ),
    )
    targets = session.exec(naming).all()

    def of(kind: SearchKind) -> list[int]:
        return [target for found, target in targets if found == kind.value]

    documents = [
        index.post_document(post)
        for post in session.exec(select(Post).where(col(Post.id).in_(of(SearchKind.post))))
    ]
    comment_ids = of(SearchKind.comment)
    simple: tuple[tuple[SearchKind, Any, Callable[[Any], index.Document]], ...] = (
        (SearchKind.protocol, Protocol, index.protocol_document),
        (SearchKind.event, Event, index.event_document),
        (SearchKind.space, Space, index.space_document),
    )
    for kind, model, document in simple:
        for row in session.exec(select(model).where(col(model.id).in_(of(kind)))):
            documents.append(document(row))
    for comment, post in session.exec(
        select(Comment, Post)
        .join(Post, col(Post.id) == Comment.post_id)
        .where(col(Comment.id).in_(comment_ids))
    ):
        documents.append(index.comment_document(comment, post))
    index.save_documents(session, documents)
