"""Posts and comments: write, edit, delete, pin, react, mention; the home and space streams."""

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, func, or_, tuple_, union_all, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select
from sqlmodel.sql.expression import SelectOfScalar

from app.db import utcnow
from app.errors import Forbidden, Invalid, NotFound
from app.i18n import N_
from app.notifications.service import message_text, notify
from app.pagination import Cursor, Page
from app.people.models import User
from app.posts.markdown import mentioned_handles, render_markdown
from app.posts.models import Comment, Mention, Post, PostKind, Reaction, ReactionKind
from app.recognition import service as recognition
from app.spaces.access import (
    SpaceAccess,
    access_for,
    active_membership_space_ids,
    readable_space_ids,
    require_moderate,
    require_read,
    require_write,
)
from app.spaces.models import Membership, MemberState, Space, Visibility

MAX_TITLE = 200
MAX_BODY = 20_000
MAX_COMMENT = 10_000
MODERATOR_KINDS = {PostKind.announcement, PostKind.prompt}
NO_TITLE = N_("Give it a title")
NO_TEXT = N_("Write something first")
NO_COMMENT = N_("Write a comment first")


@dataclass
class PostCard:
    """A post with all a stream shows about it, loaded in a fixed number of queries."""

    post: Post
    author: User | None
    space: Space
    reactions: dict[str, int] = field(default_factory=dict)
    my_reactions: set[str] = field(default_factory=set)
    # Badges beside the author's name in this space: pages fill them in for all cards at once
    # (recognition.service.attach_marks); the API leaves them out.
    author_marks: list[Any] = field(default_factory=list)


def _check_text(value: str, *, field: str, max_length: int, empty: str) -> str:
    value = value.strip()
    if not value:
        raise Invalid(empty, field=field)
    if len(value) > max_length:
        raise Invalid("Too long: at most %(max)s characters", field=field, max=max_length)
    return value


def _render_with_mentions(session: Session, body: str) -> tuple[str, list[User]]:
    handles = mentioned_handles(body)
    people: list[User] = []
    if handles:
        people = list(
            session.exec(select(User).where(col(User.handle).in_(handles), User.is_active == True))  # noqa: E712
        )
    html = render_markdown(body, known_handles={p.handle for p in people})
    return html, people


def _notify_mentions(
    session: Session,
    *,
    space: Space,
    author: User,
    people: list[User],
    post: Post,
    comment: Comment | None = None,
) -> None:
    """Tell mentioned people, but only those who can read the space: a mention never leaks."""
    if not people:
        return
    if space.visibility == Visibility.public:
        readers = {p.id for p in people}
    else:
        readers = set(
            session.exec(
                select(Membership.user_id).where(
                    Membership.space_id == space.id,
                    Membership.state == MemberState.active,
                    col(Membership.user_id).in_([p.id for p in people]),
                )
            ).all()
        )
    same_target = (
        col(Mention.comment_id) == comment.id if comment else col(Mention.comment_id).is_(None)
    )
    already = set(
        session.exec(select(Mention.user_id).where(Mention.post_id == post.id, same_target)).all()
    )
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
        notify(
            session,
            user_id=person.id,  # type: ignore[arg-type]
            kind="mention",
            text=message_text("mention", name=author.display_name, title=post.title),
            url=f"/posts/{post.id}" + (f"#comment-{comment.id}" if comment else ""),
            actor_id=author.id,
            space_id=space.id,
            post_id=post.id,
            comment_id=comment.id if comment else None,
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
    html, people = _render_with_mentions(session, body)
    now = utcnow()
    if publish_at is not None:
        from app.community.scheduling import resolve_publish_at  # community builds on posts

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
    )
    session.add(post)
    session.flush()
    if not scheduled:
        _notify_mentions(session, space=access.space, author=access.user, people=people, post=post)
    recognition.after_contribution(session, user=access.user, space_id=post.space_id)
    session.flush()
    return post


def announce_post(session: Session, *, post: Post) -> None:
    """Tell the people a just-published scheduled post mentions (the publishing job calls this)."""
    space = session.get(Space, post.space_id)
    author = session.get(User, post.author_id) if post.author_id else None
    if space is None or author is None:
        return
    _html, people = _render_with_mentions(session, post.body)
    _notify_mentions(session, space=space, author=author, people=people, post=post)


def load_post(session: Session, *, user: User, post_id: int) -> tuple[Post, SpaceAccess]:
    """A post the person may read, with their access to its space; 404 otherwise."""
    post = session.get(Post, post_id)
    if post is None or post.deleted_at is not None:
        raise NotFound("Post not found")
    space = session.get(Space, post.space_id)
    if space is None:
        raise NotFound("Post not found")
    access = access_for(session, user, space)
    if not access.can_read:
        raise NotFound("Post not found")
    if post.hidden_at is not None and not (access.can_moderate or post.author_id == user.id):
        raise NotFound("Post not found")
    if post.published_at > utcnow() and not (access.can_moderate or post.author_id == user.id):
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
        from app.community.scheduling import resolve_publish_at

        post.published_at = resolve_publish_at(publish_at, zone=user.time_zone)
    if title is not None:
        post.title = _check_text(title, field="title", max_length=MAX_TITLE, empty=NO_TITLE)
    people: list[User] = []
    if body is not None:
        post.body = _check_text(body, field="body", max_length=MAX_BODY, empty=NO_TEXT)
        post.body_html, people = _render_with_mentions(session, post.body)
    if not unpublished:
        # Until it is published nobody has read it, so it is not "edited" and mentions wait.
        post.edited_at = utcnow()
    session.add(post)
    session.flush()
    if not unpublished:
        _notify_mentions(session, space=access.space, author=user, people=people, post=post)
    session.flush()
    return post


def delete_post(session: Session, *, user: User, post_id: int) -> Post:
    """The author (or a moderator) deletes a post; its text is removed, not just hidden."""
    post, access = load_post(session, user=user, post_id=post_id)
    if post.author_id != user.id and not access.can_moderate:
        raise Forbidden("Only the author can delete this post")
    post.deleted_at = utcnow()
    post.body, post.body_html = "", ""
    session.add(post)
    session.flush()
    return post


def set_pinned(session: Session, *, user: User, post_id: int, pinned: bool) -> Post:
    post, access = load_post(session, user=user, post_id=post_id)
    require_moderate(access)
    post.pinned_at = utcnow() if pinned else None
    session.add(post)
    from app.people.service import record_audit

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
        if parent is None or parent.post_id != post.id:
            raise Invalid("You can only reply to a comment on this post", field="parent_id")
    html, people = _render_with_mentions(session, body)
    comment = Comment(
        post_id=post_id, author_id=user.id, parent_id=parent_id, body=body, body_html=html
    )
    session.add(comment)
    session.exec(
        update(Post).where(col(Post.id) == post.id).values(comment_count=Post.comment_count + 1)
    )
    session.flush()
    if post.author_id is not None:
        notify(
            session,
            user_id=post.author_id,
            kind="comment",
            text=message_text("comment", name=user.display_name, title=post.title),
            url=f"/posts/{post.id}#comment-{comment.id}",
            actor_id=user.id,
            space_id=post.space_id,
            post_id=post.id,
            comment_id=comment.id,
        )
    _notify_mentions(
        session, space=access.space, author=user, people=people, post=post, comment=comment
    )
    recognition.after_contribution(session, user=user, space_id=post.space_id, comment_on=post)
    session.flush()
    return comment


def load_comment(
    session: Session, *, user: User, comment_id: int
) -> tuple[Comment, Post, SpaceAccess]:
    comment = session.get(Comment, comment_id)
    if comment is None or comment.deleted_at is not None:
        raise NotFound("Comment not found")
    post, access = load_post(session, user=user, post_id=comment.post_id)
    if comment.hidden_at is not None and not (access.can_moderate or comment.author_id == user.id):
        raise NotFound("Comment not found")
    return comment, post, access


def update_comment(session: Session, *, user: User, comment_id: int, body: str) -> Comment:
    comment, post, access = load_comment(session, user=user, comment_id=comment_id)
    if comment.author_id != user.id:
        raise Forbidden("Only the author can edit this comment")
    require_write(access)
    comment.body = _check_text(body, field="body", max_length=MAX_COMMENT, empty=NO_COMMENT)
    comment.body_html, people = _render_with_mentions(session, comment.body)
    comment.edited_at = utcnow()
    session.add(comment)
    session.flush()
    _notify_mentions(
        session, space=access.space, author=user, people=people, post=post, comment=comment
    )
    return comment


def delete_comment(session: Session, *, user: User, comment_id: int) -> Comment:
    comment, post, access = load_comment(session, user=user, comment_id=comment_id)
    if comment.author_id != user.id and not access.can_moderate:
        raise Forbidden("Only the author can delete this comment")
    comment.deleted_at = utcnow()
    comment.body, comment.body_html = "", ""
    session.add(comment)
    session.exec(
        update(Post).where(col(Post.id) == post.id).values(comment_count=Post.comment_count - 1)
    )
    session.flush()
    return comment


def react(
    session: Session, *, user: User, post_id: int, kind: str, on: bool = True
) -> dict[str, int]:
    """Add or take back a reaction; doing it twice changes nothing. Returns the new counts."""
    post, access = load_post(session, user=user, post_id=post_id)
    require_read(access)
    if kind not in ReactionKind.__members__:
        raise Invalid("Unknown reaction", field="kind")
    if not (access.is_member or access.space.visibility == Visibility.public):
        raise Forbidden("Join this space to react")
    existing = session.exec(
        select(Reaction).where(
            Reaction.post_id == post.id, Reaction.user_id == user.id, Reaction.kind == kind
        )
    ).first()
    if on and existing is None:
        try:
            with session.begin_nested():
                session.add(Reaction(post_id=post.id, user_id=user.id, kind=ReactionKind(kind)))  # type: ignore[arg-type]
        except IntegrityError:
            pass  # a parallel request added the same reaction: the result is the same
        else:
            if post.author_id is not None and post.author_id != user.id:
                # "Helpful" counts reactions received: only the author can have earned it.
                recognition.after_action(session, action="reaction", user_ids=[post.author_id])
    elif not on and existing is not None:
        session.delete(existing)
    session.flush()
    return reaction_counts(session, [post_id])[post_id]


def reaction_counts(session: Session, post_ids: list[int]) -> dict[int, dict[str, int]]:
    counts: dict[int, dict[str, int]] = {pid: {} for pid in post_ids}
    if not post_ids:
        return counts
    for post_id, kind, n in session.exec(
        select(Reaction.post_id, Reaction.kind, func.count())
        .where(col(Reaction.post_id).in_(post_ids))
        .group_by(col(Reaction.post_id), col(Reaction.kind))
    ).all():
        counts[post_id][str(kind)] = n
    return counts


def _cards(
    session: Session, user: User, rows: list[tuple[Post, User | None, Space]]
) -> list[PostCard]:
    """Two more queries whatever the number of posts: reaction counts, and the viewer's own."""
    ids = [p.id for p, _a, _s in rows if p.id is not None]
    counts = reaction_counts(session, ids)
    mine: dict[int, set[str]] = {}
    if ids:
        for post_id, kind in session.exec(
            select(Reaction.post_id, Reaction.kind).where(
                col(Reaction.post_id).in_(ids), Reaction.user_id == user.id
            )
        ).all():
            mine.setdefault(post_id, set()).add(str(kind))
    return [
        PostCard(
            post=p,
            author=a,
            space=s,
            reactions=counts.get(p.id, {}),  # type: ignore[arg-type]
            my_reactions=mine.get(p.id, set()),  # type: ignore[arg-type]
        )
        for p, a, s in rows
    ]


def _shown_in_streams() -> tuple[ColumnElement[bool], ...]:
    """Published, and neither deleted nor hidden."""
    return (
        col(Post.deleted_at).is_(None),
        col(Post.hidden_at).is_(None),
        col(Post.published_at) <= utcnow(),
    )


def _stream_query(user: User):
    return (
        select(Post, User, Space)
        .join(Space, Space.id == Post.space_id)  # type: ignore[arg-type]
        .outerjoin(User, User.id == Post.author_id)  # type: ignore[arg-type]
        .where(*_shown_in_streams())
    )


def _paginate(
    session: Session, user: User, query, cursor: str | None, limit: int
) -> Page[PostCard]:
    after = Cursor.decode(cursor)
    if after is not None:
        query = query.where(tuple_(Post.published_at, Post.id) < tuple_(after.at, after.id))
    query = query.order_by(col(Post.published_at).desc(), col(Post.id).desc()).limit(limit + 1)
    rows = [(p, a, s) for p, a, s in session.exec(query).all()]
    next_cursor = None
    if len(rows) > limit:
        rows = rows[:limit]
        last = rows[-1][0]
        next_cursor = Cursor(last.published_at, last.id).encode()
    return Page(items=_cards(session, user, rows), next_cursor=next_cursor)


def home_stream(
    session: Session, *, user: User, cursor: str | None = None, limit: int = 20
) -> Page[PostCard]:
    """Newest posts from my spaces, plus announcements in public spaces, newest first.

    Each of the two sources is cut to one page on its own index before they are merged: one
    query with an OR across both makes the database fetch, join and sort every post of every
    source, which grows with the site (70 ms per page at 100,000 posts).
    """
    after = Cursor.decode(cursor)

    def one_page(ids: SelectOfScalar[int | None]) -> SelectOfScalar[int | None]:
        query = ids.where(*_shown_in_streams())
        if after is not None:
            query = query.where(tuple_(Post.published_at, Post.id) < tuple_(after.at, after.id))
        page = query.order_by(col(Post.published_at).desc(), col(Post.id).desc()).limit(limit + 1)
        return select(page.subquery().c.id)

    mine = one_page(
        select(col(Post.id)).where(col(Post.space_id).in_(active_membership_space_ids(user)))
    )
    announced = one_page(
        select(col(Post.id))
        .join(Space, col(Space.id) == Post.space_id)
        .where(col(Post.kind) == PostKind.announcement, col(Space.visibility) == Visibility.public)
    )
    query = _stream_query(user).where(col(Post.id).in_(union_all(mine, announced)))
    return _paginate(session, user, query, cursor, limit)


def space_stream(
    session: Session,
    *,
    access: SpaceAccess,
    cursor: str | None = None,
    limit: int = 20,
    include_pinned: bool = False,
) -> Page[PostCard]:
    """A space's posts, newest first; pages leave out pinned ones (they are shown above)."""
    require_read(access)
    query = _stream_query(access.user).where(col(Post.space_id) == access.space.id)
    if not include_pinned:
        query = query.where(col(Post.pinned_at).is_(None))
    return _paginate(session, access.user, query, cursor, limit)


def pinned_posts(session: Session, *, access: SpaceAccess, limit: int = 10) -> list[PostCard]:
    require_read(access)
    rows = session.exec(
        _stream_query(access.user)
        .where(col(Post.space_id) == access.space.id, col(Post.pinned_at).is_not(None))
        .order_by(col(Post.pinned_at).desc())
        .limit(limit)
    ).all()
    return _cards(session, access.user, [(p, a, s) for p, a, s in rows])


def readable_posts_query(user: User):
    """Posts in every space the person can read (for search, exports and other lists)."""
    return _stream_query(user).where(col(Post.space_id).in_(readable_space_ids(user)))


def post_card(session: Session, *, user: User, post: Post, space: Space) -> PostCard:
    author = session.get(User, post.author_id) if post.author_id else None
    return _cards(session, user, [(post, author, space)])[0]


def comments_page(
    session: Session, *, user: User, post: Post, cursor: str | None = None, limit: int = 50
) -> Page[tuple[Comment, User | None]]:
    """Comments oldest first, one query per page; hidden ones only for their author."""
    after = Cursor.decode(cursor)
    query = (
        select(Comment, User)
        .outerjoin(User, User.id == Comment.author_id)  # type: ignore[arg-type]
        .where(
            col(Comment.post_id) == post.id,
            col(Comment.deleted_at).is_(None),
            or_(col(Comment.hidden_at).is_(None), col(Comment.author_id) == user.id),
        )
        .order_by(col(Comment.created_at), col(Comment.id))
        .limit(limit + 1)
    )
    if after is not None:
        query = query.where(tuple_(Comment.created_at, Comment.id) > tuple_(after.at, after.id))
    rows: list[tuple[Comment, User | None]] = [(c, u) for c, u in session.exec(query).all()]
    next_cursor = None
    if len(rows) > limit:
        rows = rows[:limit]
        last = rows[-1][0]
        next_cursor = Cursor(last.created_at, last.id).encode()  # type: ignore[arg-type]
    return Page(items=rows, next_cursor=next_cursor)


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
    if access.space.visibility != Visibility.public:
        query = query.where(
            col(User.id).in_(
                select(Membership.user_id).where(
                    Membership.space_id == access.space.id, Membership.state == MemberState.active
                )
            )
        )
    return list(session.exec(query.order_by(col(User.display_name)).limit(limit)).all())


def posts_by_author(
    session: Session, *, viewer: User, author_id: int, cursor: str | None = None, limit: int = 20
) -> Page[PostCard]:
    """A person's posts as the viewer may see them (only spaces the viewer can read)."""
    query = readable_posts_query(viewer).where(col(Post.author_id) == author_id)
    return _paginate(session, viewer, query, cursor, limit)
