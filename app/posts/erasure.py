"""What the posts domain does when a person is erased (app/people/erasure.py).

"delete": their posts go (with the comments under them) and so do their comments elsewhere; a
post loses the count of the comments that went. "keep": their posts and comments stay without an
author, and leaders' voices no longer pick them. Either way, every post, comment and earlier
version that names the person (by @handle or full name) is rewritten without the name, and its
HTML rendered again.
"""

from typing import Any

from sqlalchemy import delete, func, or_, update
from sqlmodel import Session, col, select

from app.core.domain_events import PersonErasing
from app.people.erasure import name_pattern, name_terms, without_person
from app.posts.models import Comment, Post, PostRevision
from app.posts.service import render_with_mentions


def _delete_content(session: Session, user_id: int) -> None:
    # The count holds comments not deleted yet (a deleted one was taken off when it went).
    counted = (
        select(Comment.post_id, func.count())
        .where(col(Comment.author_id) == user_id, col(Comment.deleted_at).is_(None))
        .group_by(col(Comment.post_id))
    )
    for post_id, count in session.exec(counted).all():
        session.execute(
            update(Post)
            .where(col(Post.id) == post_id)
            .values(comment_count=Post.comment_count - count)
        )
    session.exec(delete(Comment).where(col(Comment.author_id) == user_id))
    session.exec(delete(Post).where(col(Post.author_id) == user_id))


def erase_from_posts(session: Session, fact: PersonErasing) -> None:
    user = fact.user
    if fact.delete_content:
        _delete_content(session, user.id or 0)
    else:
        session.execute(update(Post).where(col(Post.author_id) == user.id).values(by_leader=False))
    pattern = name_pattern(handle=user.handle, display_name=user.display_name)
    terms = name_terms(user)
    models: tuple[Any, ...] = (Post, Comment, PostRevision)
    for model in models:
        columns = [model.body, *([model.title] if model is not Comment else [])]
        naming = or_(
            *(
                func.lower(column).contains(term.lower(), autoescape=True)
                for term in terms
                for column in columns
            )
        )
        for row in session.exec(select(model).where(naming)).all():
            if model is not Comment:
                row.title = without_person(row.title, pattern)[:200]
            row.body = without_person(row.body, pattern)
            if model is not PostRevision:
                row.body_html, _people = render_with_mentions(session, row.body)
            session.add(row)
    session.flush()
