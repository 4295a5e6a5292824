"""Posts and comments: write, edit, delete, pin, react, mention; the home and space streams.

What follows in other domains (notifications, badges) hangs on the facts published here
(app/core/domain_events.py); this module calls no other domain's side effects."""

from datetime import datetime
from functools import cache
from typing import Any

from sqlalchemy import Integer, bindparam, delete, func, or_, update
from sqlmodel import Session, col, select

from app.access.posts import may_read_comment, may_read_post
from app.access.spaces import (
    SpaceAccess,
    reader_ids_among,
    readers_of,
    require_moderate,
    require_read,
    require_write,
    with_membership,
)
from app.core.db import insert_unless_present, utcnow
from app.core.domain_events import (
    CommentCreated,
    CommentDeleted,
    CommentEdited,
    ContributionStarting,
    PostCreated,
    PostDeleted,
    PostEdited,
    PostMentionedPeople,
    ReactionAdded,
    publish,
)
from app.core.errors import Forbidden, Invalid, NotFound
from app.core.i18n import N_
from app.core.prepared import VIEWER
from app.core.text import clean_text
from app.people.models import User
from app.people.service import record_audit
from app.posts.markdown import mentioned_handles, render_markdown
from app.posts.models import (
    Comment,
    Mention,
    Post,
    PostKind,
    PostRevision,
    Reaction,
    ReactionKind,
)
from app.posts.publish_times import resolve_publish_at
from app.posts.streams import reaction_counts
from app.spaces.models import Membership, Space

MAX_TITLE = 200
MAX_BODY = 20_000
MAX_COMMENT = 10_000
MODERATOR_KINDS = {PostKind.announcement, PostKind.prompt}
NO_TITLE = N_("Give it a title")
NO_TEXT = N_("Write something first")
NO_COMMENT = N_("Write a comment first")


def _check_text(value: str, *, field: str, max_length: int, empty: str) -> str:
    return clean_text(value, field=field, max_length=max_length, required=True, empty=empty)


def render_with_mentions(session: Session, body: str) -> tuple[str, list[User]]:
    """The body as HTML, with links for the @handles of active people, and those people."""
    handles = mentioned_handles(body)
    people: list[User] = []
    if handles:
        people = list(
            session.exec(select(User).where(col(User.handle).in_(handles), User.is_active == True))  # noqa: E712
        )
    html = render_markdown(body, known_handles={p.handle for p in people})
    return html, people


def _record_mentions(
    session: Session,
    *,
    space: Space,
    author: User,
    people: list[User],
    post: Post,
    comment: Comment | None = None,
) -> tuple[User, ...]:
    """Store new mentions and return who they are, but only people who can read the space: a
    mention never leaks. They hear of it through the fact the caller publishes."""
    if not people:
        return ()
    readers = reader_ids_among(session, space, [p.id for p in people])
    same_target = (
        col(Mention.comment_id) == comment.id if comment else col(Mention.comment_id).is_(None)
    )
    already = set(
        session.exec(select(Mention.user_id).where(Mention.post_id == post.id, same_target)).all()
    )
    mentioned = []
    for person in people:
        if person.id not in readers or person.id in already or person.id == author.id:
            continue
        session.add(
            Mention(
                user_id=person.id,  # type: ignore[arg-type]
                post_id=post.id,  # type: ignore[arg-type]
                comment_id=comment.id if comment else None,
            )
        )
        mentioned.append(person)
    return tuple(mentioned)


def _publish_mentions(
    session: Session,
    *,
    space: Space,
    author: User,
    people: list[User],
    post: Post,
    comment: Comment | None = None,
) -> None:
    mentioned = _record_mentions(
        session, space=space, author=author, people=people, post=post, comment=comment
    )
    if mentioned:
        publish(
            session,
            PostMentionedPeople(post=post, author=author, people=mentioned, comment=comment),
        )


def create_post(
    session: Session,
    *,
    access: SpaceAccess,
    title: str,
    body: str,
    kind: str = "discussion",
    published_at: datetime | None = None,
    publish_at: datetime | None = None,
) -> Post:
    """Write a post in a space the author may write in; mentioned readers are notified.

    With ``publish_at`` (aware, or wall time in the author's zone) the post is scheduled: it stays
    out of streams until then, and the publishing job notifies mentioned people at that time.
    """
    require_write(access)
    title = _check_text(title, field="title", max_length=MAX_TITLE, empty=NO_TITLE)
    body = _check_text(body, field="body", max_length=MAX_BODY, empty=NO_TEXT)
    if kind not in PostKind.__members__:
        raise Invalid("Unknown kind of post", field="kind")
    if kind in MODERATOR_KINDS and not access.can_moderate:
        if kind == PostKind.prompt:
            raise Forbidden("Only hosts may post prompts")
        raise Forbidden("Only hosts may post announcements")
    html, people = render_with_mentions(session, body)
    publish(session, ContributionStarting(space_id=access.space.id))  # type: ignore[arg-type]
    now = utcnow()
    if publish_at is not None:
        published_at = resolve_publish_at(publish_at, zone=access.user.time_zone, now=now)
    scheduled = published_at is not None and published_at > now
    post = Post(
        space_id=access.space.id,  # type: ignore[arg-type]
        author_id=access.user.id,
        kind=PostKind(kind),
        title=title,
        body=body,
        body_html=html,
        created_at=now,
        published_at=published_at or now,
        announced_at=None if scheduled else now,
        by_leader=access.user.is_leader,
    )
    session.add(post)
    session.flush()
    mentioned = (
        ()
        if scheduled
        else _record_mentions(
            session, space=access.space, author=access.user, people=people, post=post
        )
    )
    publish(session, PostCreated(post=post, author=access.user, mentioned=mentioned))
    session.flush()
    return post


def announce_post(session: Session, *, post: Post) -> None:
    """Tell the people a just-published scheduled post mentions (the publishing job calls this)."""
    space = session.get(Space, post.space_id)
    author = session.get(User, post.author_id) if post.author_id else None
    if space is None or author is None:
        return
    _html, people = render_with_mentions(session, post.body)
    _publish_mentions(session, space=space, author=author, people=people, post=post)


@cache
def _post_with_access_statement() -> Any:
    """The post, its space and the person's membership there: one query, where reading them
    one by one took three on every post page."""
    query = select(Post, Space, Membership).join(Space, col(Space.id) == Post.space_id)
    return with_membership(query, VIEWER).where(col(Post.id) == bindparam("post_id", type_=Integer))


def load_post(session: Session, *, user: User, post_id: int) -> tuple[Post, SpaceAccess]:
    """A post the person may read, with their access to its space; 404 otherwise."""
    params = {"post_id": post_id, "viewer_id": user.id}
    found = session.execute(_post_with_access_statement(), params).first()
    if found is None:
        raise NotFound("Post not found")
    post, space, membership = found
    access = SpaceAccess(space=space, membership=membership, user=user)
    if not may_read_post(post, access):
        raise NotFound("Post not found")
    return post, access


def update_post(
    session: Session,
    *,
    user: User,
    post_id: int,
    title: str | None = None,
    body: str | None = None,
    publish_at: datetime | None = None,
) -> Post:
    """The author edits a post; a scheduled post's time can change until it is published."""
    post, access = load_post(session, user=user, post_id=post_id)
    if post.author_id != user.id:
        raise Forbidden("Only the author can edit this post")
    require_write(access)
    unpublished = post.announced_at is None and post.published_at > utcnow()
    if publish_at is not None:
        if not unpublished:
            raise Invalid("This post is already published", field="publish_at")
        post.published_at = resolve_publish_at(publish_at, zone=user.time_zone)
    earlier = (post.title, post.body)
    if title is not None:
        post.title = _check_text(title, field="title", max_length=MAX_TITLE, empty=NO_TITLE)
    people: list[User] = []
    if body is not None:
        post.body = _check_text(body, field="body", max_length=MAX_BODY, empty=NO_TEXT)
        post.body_html, people = render_with_mentions(session, post.body)
    if not unpublished and (post.title, post.body) != earlier:
        # Readers may have seen the version this replaces: keep it for the post's history.
        written_at = post.edited_at or post.published_at
        session.add(
            PostRevision(post_id=post_id, title=earlier[0], body=earlier[1], written_at=written_at)
        )
    if not unpublished:
        # Until it is published nobody has read it, so it is not "edited" and mentions wait.
        post.edited_at = utcnow()
    session.add(post)
    session.flush()
    if not unpublished:
        _publish_mentions(session, space=access.space, author=user, people=people, post=post)
    publish(session, PostEdited(post=post))
    session.flush()
    return post


def delete_post(session: Session, *, user: User, post_id: int) -> Post:
    """The author (or a moderator) deletes a post; its text is removed, not just hidden."""
    post, access = load_post(session, user=user, post_id=post_id)
    if post.author_id != user.id and not access.can_moderate:
        raise Forbidden("Only the author can delete this post")
    post.deleted_at = utcnow()
    post.body, post.body_html = "", ""
    # Deleting removes the text, earlier versions included.
    session.execute(delete(PostRevision).where(col(PostRevision.post_id) == post.id))
    session.add(post)
    session.flush()
    publish(session, PostDeleted(post=post))
    return post


def set_pinned(session: Session, *, user: User, post_id: int, pinned: bool) -> Post:
    post, access = load_post(session, user=user, post_id=post_id)
    require_moderate(access)
    post.pinned_at = utcnow() if pinned else None
    session.add(post)
    record_audit(
        session,
        actor=user,
        action="post.pin" if pinned else "post.unpin",
        target_type="post",
        target_id=post.id,
        space_id=post.space_id,
    )
    session.flush()
    return post


def add_comment(
    session: Session, *, user: User, post_id: int, body: str, parent_id: int | None = None
) -> Comment:
    post, access = load_post(session, user=user, post_id=post_id)
    require_write(access)
    body = _check_text(body, field="body", max_length=MAX_COMMENT, empty=NO_COMMENT)
    if parent_id is not None:
        parent = session.get(Comment, parent_id)
        if parent is None or parent.post_id != post.id or not may_read_comment(parent, access):
            raise Invalid("You can only reply to a comment on this post", field="parent_id")
    html, people = render_with_mentions(session, body)
    publish(session, ContributionStarting(space_id=post.space_id))
    comment = Comment(
        post_id=post_id, author_id=user.id, parent_id=parent_id, body=body, body_html=html
    )
    session.add(comment)
    session.flush()
    mentioned = _record_mentions(
        session, space=access.space, author=user, people=people, post=post, comment=comment
    )
    publish(session, CommentCreated(post=post, comment=comment, author=user, mentioned=mentioned))
    _count_comments(session, post_id=post.id, change=+1)  # type: ignore[arg-type]
    return comment


def _count_comments(session: Session, *, post_id: int, change: int) -> None:
    """Move the post's comment count, as the last statement of the write: everyone commenting on
    a busy post queues on this one row, so its lock is held from here to the commit only."""
    session.flush()
    count = Post.comment_count + change
    session.exec(update(Post).where(col(Post.id) == post_id).values(comment_count=count))


def load_comment(
    session: Session, *, user: User, comment_id: int
) -> tuple[Comment, Post, SpaceAccess]:
    comment = session.get(Comment, comment_id)
    if comment is None or comment.deleted_at is not None:
        raise NotFound("Comment not found")
    post, access = load_post(session, user=user, post_id=comment.post_id)
    if not may_read_comment(comment, access):
        raise NotFound("Comment not found")
    return comment, post, access


def update_comment(session: Session, *, user: User, comment_id: int, body: str) -> Comment:
    comment, post, access = load_comment(session, user=user, comment_id=comment_id)
    if comment.author_id != user.id:
        raise Forbidden("Only the author can edit this comment")
    require_write(access)
    comment.body = _check_text(body, field="body", max_length=MAX_COMMENT, empty=NO_COMMENT)
    comment.body_html, people = render_with_mentions(session, comment.body)
    comment.edited_at = utcnow()
    session.add(comment)
    session.flush()
    _publish_mentions(
        session, space=access.space, author=user, people=people, post=post, comment=comment
    )
    publish(session, CommentEdited(post=post, comment=comment))
    return comment


def delete_comment(session: Session, *, user: User, comment_id: int) -> Comment:
    comment, post, access = load_comment(session, user=user, comment_id=comment_id)
    if comment.author_id != user.id and not access.can_moderate:
        raise Forbidden("Only the author can delete this comment")
    comment.deleted_at = utcnow()
    comment.body, comment.body_html = "", ""
    session.add(comment)
    publish(session, CommentDeleted(post=post, comment=comment))
    _count_comments(session, post_id=post.id, change=-1)  # type: ignore[arg-type]
    return comment


def react(
    session: Session, *, user: User, post_id: int, kind: str, on: bool = True
) -> dict[str, int]:
    """Add or take back a reaction; doing it twice changes nothing. Returns the new counts."""
    post, access = load_post(session, user=user, post_id=post_id)
    require_read(access)
    if kind not in ReactionKind.__members__:
        raise Invalid("Unknown reaction", field="kind")
    if on:
        reaction = Reaction(post_id=post.id, user_id=user.id, kind=ReactionKind(kind))  # type: ignore[arg-type]
        # Already there (from this person, or a parallel request of theirs): nothing changes.
        if insert_unless_present(session, reaction):
            publish(session, ReactionAdded(post=post, user=user, kind=kind))
    else:
        mine = delete(Reaction).where(
            col(Reaction.post_id) == post.id,
            col(Reaction.user_id) == user.id,
            col(Reaction.kind) == kind,
        )
        session.execute(mine)
    session.flush()  # what subscribers added, before the counts are read
    return reaction_counts(session, [post_id])[post_id]


def mention_candidates(
    session: Session, *, access: SpaceAccess, prefix: str, limit: int = 8
) -> list[User]:
    """People to suggest after '@': in a private or secret space only its members."""
    require_read(access)
    prefix = prefix.strip().lower().lstrip("@")[:40]
    query = select(User).where(User.is_active == True)  # noqa: E712
    if prefix:
        like = prefix.replace("\\", "").replace("%", "").replace("_", "\\_") + "%"
        query = query.where(
            or_(
                col(User.handle).like(like, escape="\\"),
                func.lower(User.display_name).like(like, escape="\\"),
            )
        )
    query = query.where(readers_of(access.space, User.id))
    return list(session.exec(query.order_by(col(User.display_name)).limit(limit)).all())
