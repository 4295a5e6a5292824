"""Is a new post or comment a first of its kind? One cheap question that lets most writes skip
the rules whose counts only a first can change.

"Welcomer" counts the distinct newcomers whose first post someone commented on; "bridge
builder" the spaces someone contributed to; "early adopter" ranks people by their first
contribution to a space. Each statement counts all of a person's contributions, so an active
person who does not hold the badge paid a growing price on every write (the bulk of a comment's
cost at a few hundred comments each, 2026-12). Their counts can only grow when the new
contribution is the person's first in its space, or a first comment on someone's first post;
otherwise the rule is skipped. The nightly job still evaluates everything, so a skip can delay
a badge (after a deletion moved someone up the line, say) but never lose one.
"""

from dataclasses import dataclass
from functools import cache
from typing import Any

from sqlalchemy import Integer, and_, bindparam, exists, func
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, select

from app.core.db import utcnow
from app.core.rows import read
from app.posts.models import Comment, Post
from app.recognition.rule_base import live_comment, live_post

_ACTOR = bindparam("actor_id", type_=Integer)
_SPACE = bindparam("space_id", type_=Integer)
_POST = bindparam("post_id", type_=Integer)


@dataclass(frozen=True)
class Firsts:
    first_in_space: bool  # the actor had no other live post or comment in the space
    welcomes_newcomer: bool  # a first comment by someone else on the author's first post


def _at_most_two(statement: Any) -> Any:
    """How many rows (0, 1 or 2): the search stops at the second one."""
    return select(func.count()).select_from(statement.limit(2).subquery()).scalar_subquery()


@cache
def _statement() -> Any:
    """Built once per process (see app.core.prepared). The new contribution is already flushed, so
    "the first" means "one, and only this one"."""
    posts_in_space = select(Post.id).where(
        col(Post.author_id) == _ACTOR, col(Post.space_id) == _SPACE, live_post()
    )
    comments_in_space = (
        select(Comment.id)
        .join(Post, col(Post.id) == Comment.post_id)
        .where(col(Comment.author_id) == _ACTOR, col(Post.space_id) == _SPACE, live_comment())
    )
    # As the welcomer rule reads "first post": no earlier post of the author that is not deleted.
    earlier = aliased(Post)
    commented = aliased(Post)
    is_authors_first = and_(
        col(commented.id) == _POST,
        col(commented.author_id) != _ACTOR,
        ~exists().where(
            col(earlier.author_id) == commented.author_id,
            col(earlier.id) < commented.id,
            col(earlier.deleted_at).is_(None),
        ),
    )
    comments_on_post = (
        select(Comment.id)
        .join(Post, col(Post.id) == Comment.post_id)
        .where(col(Comment.author_id) == _ACTOR, col(Comment.post_id) == _POST, live_comment())
    )
    return select(
        _at_most_two(posts_in_space) + _at_most_two(comments_in_space),
        exists().where(is_authors_first),
        _at_most_two(comments_on_post),
    )


def firsts(session: Session, *, actor_id: int, space_id: int, post_id: int | None) -> Firsts:
    """For a new contribution of `actor_id` in `space_id` (a comment: on `post_id`)."""
    params = {"actor_id": actor_id, "space_id": space_id, "post_id": post_id, "now": utcnow()}
    in_space, on_first_post, on_this_post = read(session, _statement(), params)[0]
    return Firsts(
        first_in_space=in_space <= 1,
        welcomes_newcomer=post_id is not None and bool(on_first_post) and on_this_post <= 1,
    )
