"""The index forgets an erased person (app/people/erasure.py): their person document, the
documents of what was deleted with them, the author link of what stays, and their name in the
documents of posts and comments that the posts domain rewrote just before (it subscribes first).
"""

from sqlalchemy import delete, func, or_, update
from sqlmodel import Session, col, select

from app.domain_events import PersonErasing
from app.people.erasure import name_terms
from app.posts.models import Comment, Post
from app.search import index
from app.search.models import SearchDocument, SearchKind


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
        col(SearchDocument.kind).in_([SearchKind.post.value, SearchKind.comment.value]),
        or_(
            *(
                func.lower(column).contains(name.lower(), autoescape=True)
                for name in name_terms(user)
                for column in (SearchDocument.title, SearchDocument.body)
            )
        ),
    )
    targets = session.exec(naming).all()
    post_ids = [target for kind, target in targets if kind == SearchKind.post.value]
    comment_ids = [target for kind, target in targets if kind == SearchKind.comment.value]
    documents = [
        index.post_document(post)
        for post in session.exec(select(Post).where(col(Post.id).in_(post_ids)))
    ]
    for comment, post in session.exec(
        select(Comment, Post)
        .join(Post, col(Post.id) == Comment.post_id)
        .where(col(Comment.id).in_(comment_ids))
    ):
        documents.append(index.comment_document(comment, post))
    index.save_documents(session, documents)
