"""Posts and comments: what counts as shown, and who may read one.

"Shown" is the base every kind of content that shows a post builds on: not deleted, not
hidden by a moderator, published (a scheduled post waits for its time). Authors and moderators
still open their own hidden or scheduled posts; streams, showcase, kudos and health never list
them.
"""

from datetime import datetime
from typing import Any, Protocol

from sqlalchemy import ColumnElement, or_
from sqlmodel import col

from app.access.spaces import SpaceAccess, readable_space_ids_of
from app.core.db import utcnow
from app.posts.models import Comment, Post


def post_not_removed(post: Any = Post) -> tuple[ColumnElement[bool], ...]:
    """Neither deleted nor hidden (`post` may be an alias of Post)."""
    return (col(post.deleted_at).is_(None), col(post.hidden_at).is_(None))


def post_shown(post: Any = Post, now: Any = None) -> tuple[ColumnElement[bool], ...]:
    """Published, and neither deleted nor hidden (`now` may be a bind parameter)."""
    return (
        *post_not_removed(post),
        col(post.published_at) <= (utcnow() if now is None else now),
    )


def shown_in_streams(now: Any = None) -> tuple[ColumnElement[bool], ...]:
    """post_shown on the Post table itself (the name the streams have always used)."""
    return post_shown(Post, now)


def readable_and_shown(
    viewer_id: Any, now: Any = None, *, space_id: Any = None
) -> tuple[ColumnElement[bool], ...]:
    """Shown in streams and in a space the person can read (both may be bind parameters).

    `space_id` is the post's space as the query should read it: db.not_indexed(Post.space_id)
    keeps SQLite from reaching the posts through the readable spaces, for a query that must
    start from an index of its own."""
    space = col(Post.space_id) if space_id is None else space_id
    return (*post_shown(Post, now), space.in_(readable_space_ids_of(viewer_id)))


def is_removed(post: Post) -> bool:
    """Deleted, or hidden by a moderator: one post, as post_not_removed says in SQL."""
    return post.deleted_at is not None or post.hidden_at is not None


def is_shown(post: Post) -> bool:
    """One post, as post_shown says in SQL: not removed and published."""
    return not is_removed(post) and post.published_at <= utcnow()


class ReadablePost(Protocol):
    """What may_read_post reads of a post: an entity, or a row read for a page."""

    @property
    def author_id(self) -> int | None: ...
    @property
    def deleted_at(self) -> datetime | None: ...
    @property
    def hidden_at(self) -> datetime | None: ...
    @property
    def published_at(self) -> datetime: ...


def may_read_post(post: ReadablePost, access: SpaceAccess) -> bool:
    """One post: readable space, not deleted; hidden or scheduled only for author and moderators."""
    if post.deleted_at is not None or not access.can_read:
        return False
    own_or_moderated = access.can_moderate or post.author_id == access.user.id
    if post.hidden_at is not None and not own_or_moderated:
        return False
    return post.published_at <= utcnow() or own_or_moderated


def comment_shown(comment: Any = Comment) -> tuple[ColumnElement[bool], ...]:
    """Neither deleted nor hidden (`comment` may be an alias of Comment)."""
    return (col(comment.deleted_at).is_(None), col(comment.hidden_at).is_(None))


def comments_shown_to(viewer_id: Any) -> tuple[ColumnElement[bool], ...]:
    """A post's comments as a reader sees them: hidden ones only to their author."""
    return (
        col(Comment.deleted_at).is_(None),
        or_(col(Comment.hidden_at).is_(None), col(Comment.author_id) == viewer_id),
    )


def comments_changed_since(since: Any) -> ColumnElement[bool]:
    """Comments whose showing changed since `since`: edited, deleted or hidden (an open page's
    live watcher shows them anew or takes them away, as comments_shown_to says)."""
    return or_(
        col(Comment.edited_at) > since,
        col(Comment.deleted_at) > since,
        col(Comment.hidden_at) > since,
    )


def may_read_comment(comment: Comment, access: SpaceAccess) -> bool:
    """One comment of a post the person may read: hidden only for its author and moderators."""
    if comment.deleted_at is not None:
        return False
    return comment.hidden_at is None or access.can_moderate or comment.author_id == access.user.id
