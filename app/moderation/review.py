"""The review queue and the record of decisions, read side of moderation.

The queue lists flagged content grouped per post or comment, only in spaces the person moderates;
the decisions page shows authors what was decided about their own content and why.
"""

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import and_, false, func, or_, true, tuple_
from sqlmodel import Session, col, select

from app.core.pagination import Cursor, Page
from app.moderation.models import Flag, FlagState, FlagTarget
from app.people.models import User
from app.posts.models import Comment, Post
from app.posts.service import load_post
from app.spaces.access import SpaceAccess, moderatable_space_ids
from app.spaces.models import Space


@dataclass
class QueueItem:
    """One flagged post or comment with all its open flags."""

    flag_id: int
    target_type: str
    target_id: int
    count: int
    first_at: datetime
    post: Post
    space: Space
    author: User | None
    comment: Comment | None = None
    reasons: list[str] = field(default_factory=list)

    @property
    def hidden(self) -> bool:
        target = self.comment if self.comment is not None else self.post
        return target.hidden_at is not None


def new_flags_count(
    session: Session, *, user: User, since: Cursor, space_id: int | None = None
) -> int:
    """Open flags raised after `since` (when the queue was shown) where the person moderates."""
    query = select(func.count()).where(
        col(Flag.state) == FlagState.open,
        col(Flag.space_id).in_(moderatable_space_ids(user)),
        tuple_(Flag.created_at, Flag.id) > tuple_(since.at, since.id),
    )
    if space_id is not None:
        query = query.where(col(Flag.space_id) == space_id)
    return int(session.exec(query).one())


def review_queue(
    session: Session,
    *,
    user: User,
    space_id: int | None = None,
    cursor: str | None = None,
    limit: int = 20,
) -> Page[QueueItem]:
    """Flagged content the person moderates, oldest case first, in four queries per page."""
    first_at = func.min(Flag.created_at).label("first_at")
    first_id = func.min(Flag.id).label("first_id")
    query = (
        select(  # type: ignore[call-overload]
            col(Flag.target_type), col(Flag.target_id), func.min(Flag.post_id), first_id, first_at
        )
        .where(
            col(Flag.state) == FlagState.open,
            col(Flag.space_id).in_(moderatable_space_ids(user)),
        )
        .group_by(col(Flag.target_type), col(Flag.target_id))
        .order_by(first_at, first_id)
        .limit(limit + 1)
    )
    if space_id is not None:
        query = query.where(col(Flag.space_id) == space_id)
    after = Cursor.decode(cursor)
    if after is not None:
        query = query.having(
            tuple_(func.min(Flag.created_at), func.min(Flag.id)) > tuple_(after.at, after.id)
        )
    groups = list(session.exec(query).all())
    next_cursor = None
    if len(groups) > limit:
        groups = groups[:limit]
        next_cursor = Cursor(groups[-1][4], groups[-1][3]).encode()
    if not groups:
        return Page(items=[], next_cursor=None)
    post_ids = {g[2] for g in groups}
    comment_ids = [g[1] for g in groups if g[0] == FlagTarget.comment]
    posts = {
        p.id: (p, s, a)
        for p, s, a in session.exec(
            select(Post, Space, User)
            .join(Space, col(Space.id) == Post.space_id)
            .outerjoin(User, col(User.id) == Post.author_id)
            .where(col(Post.id).in_(post_ids))
        ).all()
    }
    comments = {
        c.id: (c, a)
        for c, a in (
            session.exec(
                select(Comment, User)
                .outerjoin(User, col(User.id) == Comment.author_id)
                .where(col(Comment.id).in_(comment_ids))
            ).all()
            if comment_ids
            else []
        )
    }
    reasons: dict[tuple[str, int], list[str]] = {}
    for target_type, target_id, reason in session.exec(
        select(Flag.target_type, Flag.target_id, Flag.reason)
        .where(col(Flag.state) == FlagState.open, col(Flag.post_id).in_(post_ids))
        .order_by(col(Flag.created_at), col(Flag.id))
    ).all():
        reasons.setdefault((str(target_type), target_id), []).append(reason)
    items = []
    for target_type, target_id, post_id, flag_id, first in groups:
        post, space, post_author = posts[post_id]
        comment, author = (None, post_author)
        if target_type == FlagTarget.comment:
            comment, author = comments[target_id]
        key = (str(target_type), target_id)
        items.append(
            QueueItem(
                flag_id=flag_id,
                target_type=str(target_type),
                target_id=target_id,
                count=len(reasons.get(key, [])),
                first_at=first,
                post=post,
                space=space,
                author=author,
                comment=comment,
                reasons=reasons.get(key, []),
            )
        )
    return Page(items=items, next_cursor=next_cursor)


@dataclass
class Note:
    """A moderator's decision as its author (or a moderator) may read it."""

    target_type: str
    target_id: int
    state: str
    note: str
    resolved_at: datetime | None
    flag_id: int
    latest: bool = False  # the newest decision about its target: "hidden" means hidden now


def moderation_notes(
    session: Session, *, user: User, post_id: int
) -> tuple[Post, SpaceAccess, list[Note]]:
    """Decisions about a post and its comments: moderators see all, authors those about theirs."""
    post, access = load_post(session, user=user, post_id=post_id)
    # One decision resolves several flags at once: group them back into that one decision.
    decision = (
        col(Flag.target_type),
        col(Flag.target_id),
        col(Flag.state),
        col(Flag.resolution_note),
        col(Flag.resolved_at),
    )
    query = (
        select(*decision, func.max(Flag.id))  # type: ignore[call-overload]
        .where(col(Flag.post_id) == post.id, col(Flag.state) != FlagState.open)
        .group_by(*decision)
        .order_by(col(Flag.resolved_at).desc(), func.max(Flag.id).desc())
    )
    if not access.can_moderate:
        mine = select(Comment.id).where(
            col(Comment.post_id) == post.id, col(Comment.author_id) == user.id
        )
        own_post = true() if post.author_id == user.id else false()
        query = query.where(
            or_(
                and_(col(Flag.target_type) == FlagTarget.post, own_post),
                and_(col(Flag.target_type) == FlagTarget.comment, col(Flag.target_id).in_(mine)),
            )
        )
    notes = [Note(str(t), i, str(s), n, r, f) for t, i, s, n, r, f in session.exec(query).all()]
    seen: set[tuple[str, int]] = set()
    for note in notes:
        note.latest = (note.target_type, note.target_id) not in seen
        seen.add((note.target_type, note.target_id))
    return post, access, notes
