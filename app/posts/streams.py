"""Reading posts: the home and space streams, a person's posts, a post's comments.

Each list is one statement built once per process (see app.core.prepared) and run with the
viewer, the time and the keyset cursor as parameters, plus two for the reactions of a page.
The lists are only shown, so they are read as plain rows (app.core.rows), not entities.
"""

from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cache
from typing import Any

from sqlalchemy import (
    Integer,
    Select,
    and_,
    bindparam,
    case,
    func,
    or_,
    tuple_,
    union,
)
from sqlmodel import Session, col, select

from app.access.posts import comments_changed_since, comments_shown_to, shown_in_streams
from app.access.posts import readable_and_shown as readable_and_shown  # for existing callers
from app.access.spaces import (
    SpaceAccess,
    member_space_ids_of,
    public_spaces_filter,
    readable_space_ids_of,
    require_read,
)
from app.core import prepared
from app.core.db import UTCDateTime, utcnow
from app.core.ids import MAX_ID
from app.core.pagination import Cursor, Page
from app.core.prepared import AFTER_AT, AFTER_ID, LIMIT, NOW, VIEWER
from app.core.rows import columns, fetch, read
from app.people.models import PersonRow, User
from app.posts.models import Comment, CommentRow, Post, PostKind, PostRow, Reaction
from app.spaces.models import Space, SpaceRow

SPACE = bindparam("space_id", type_=Integer)
AUTHOR = bindparam("author_id", type_=Integer)
POST = bindparam("post_id", type_=Integer)


CARD = (PostRow, PersonRow, SpaceRow)
COMMENT = (CommentRow, PersonRow)


@dataclass
class PostCard:
    """A post with all a stream shows about it, loaded in a fixed number of queries."""

    post: PostRow
    author: PersonRow | None
    space: SpaceRow
    reactions: dict[str, int] = field(default_factory=dict)
    my_reactions: set[str] = field(default_factory=set)
    # Badges beside the author's name in this space: pages fill them in for all cards at once
    # (recognition.service.attach_marks); the API leaves them out.
    author_marks: list[Any] = field(default_factory=list)


def _stream_select(now: Any = None) -> Any:
    return (
        select(*columns(CARD))
        .join(Space, col(Space.id) == Post.space_id)
        .outerjoin(User, col(User.id) == Post.author_id)
        .where(*shown_in_streams(now))
    )


def _newest_first(query: Any, paged: bool) -> Any:
    if paged:
        query = query.where(tuple_(Post.published_at, Post.id) < tuple_(AFTER_AT, AFTER_ID))
    return query.order_by(col(Post.published_at).desc(), col(Post.id).desc()).limit(LIMIT)


@cache
def _home_statement(paged: bool) -> Select[Any]:
    """My spaces' posts plus announcements in public spaces.

    Each of the two sources is cut to one page on its own index before they are merged: one
    query with an OR across both makes the database fetch, join and sort every post of every
    source, which grows with the site (70 ms per page at 100,000 posts). The merge is cut to
    one page on the ids and times alone, so only that page's rows are read whole.
    """

    def one_page(ids: Any) -> Any:
        page = _newest_first(ids.where(*shown_in_streams(NOW)), paged).subquery()
        return select(page.c.id, page.c.published_at)

    mine = one_page(
        select(col(Post.id), col(Post.published_at)).where(
            col(Post.space_id).in_(member_space_ids_of(VIEWER))
        )
    )
    announced = one_page(
        select(col(Post.id), col(Post.published_at))
        .join(Space, col(Space.id) == Post.space_id)
        .where(col(Post.kind) == PostKind.announcement, public_spaces_filter())
    )
    both = union(mine, announced)  # a post in both sources counts once
    merged = both.order_by(
        both.selected_columns.published_at.desc(), both.selected_columns.id.desc()
    ).limit(LIMIT)
    page = merged.subquery("merged")
    query = _stream_select(NOW).where(col(Post.id).in_(select(page.c.id)))
    return _newest_first(query, paged)


@cache
def _space_statement(paged: bool, with_pinned: bool) -> Select[Any]:
    query = _stream_select(NOW).where(col(Post.space_id) == SPACE)
    if not with_pinned:
        query = query.where(col(Post.pinned_at).is_(None))
    return _newest_first(query, paged)


@cache
def _by_author_statement(paged: bool) -> Select[Any]:
    query = _stream_select(NOW).where(
        col(Post.space_id).in_(readable_space_ids_of(VIEWER)), col(Post.author_id) == AUTHOR
    )
    return _newest_first(query, paged)


@cache
def _pinned_statement() -> Select[Any]:
    return (
        _stream_select(NOW)
        .where(col(Post.space_id) == SPACE, col(Post.pinned_at).is_not(None))
        .order_by(col(Post.pinned_at).desc())
        .limit(LIMIT)
    )


@cache
def _counts_statement() -> Any:
    return (
        select(Reaction.post_id, Reaction.kind, func.count())
        .where(col(Reaction.post_id).in_(prepared.ids("post_ids")))
        .group_by(col(Reaction.post_id), col(Reaction.kind))
    )


@cache
def _reactions_statement() -> Any:
    """Counts per post and kind, and whether the viewer is among them: one query for both."""
    theirs = func.max(case((col(Reaction.user_id) == VIEWER, 1), else_=0))
    return (
        select(Reaction.post_id, Reaction.kind, func.count(), theirs)
        .where(col(Reaction.post_id).in_(prepared.ids("post_ids")))
        .group_by(col(Reaction.post_id), col(Reaction.kind))
    )


def reaction_counts(session: Session, post_ids: list[int]) -> dict[int, dict[str, int]]:
    counts: dict[int, dict[str, int]] = {pid: {} for pid in post_ids}
    if not post_ids:
        return counts
    for post_id, kind, n in read(session, _counts_statement(), {"post_ids": post_ids}):
        counts[post_id][str(kind)] = n
    return counts


def cards(session: Session, user: User, rows: list[tuple[Any, ...]]) -> list[PostCard]:
    """One more query whatever the number of posts: the reactions, counted, and the viewer's."""
    ids = [p.id for p, _a, _s in rows]
    counts: dict[int, dict[str, int]] = {pid: {} for pid in ids}
    mine: dict[int, set[str]] = {pid: set() for pid in ids}
    if ids:
        params = {"post_ids": ids, "viewer_id": user.id}
        for post_id, kind, n, theirs in read(session, _reactions_statement(), params):
            counts[post_id][str(kind)] = n
            if theirs:
                mine[post_id].add(str(kind))
    return [
        PostCard(
            post=p,
            author=a,
            space=s,
            reactions=counts.get(p.id, {}),
            my_reactions=mine.get(p.id, set()),
        )
        for p, a, s in rows
    ]


def _page(
    session: Session,
    user: User,
    statement: Select[Any],
    after: Cursor | None,
    limit: int,
    **params: Any,
) -> Page[PostCard]:
    if after is not None:
        params.update(after_at=after.at, after_id=after.id)
    values = prepared.values(user.id, utcnow(), limit + 1, **params)
    rows = fetch(session, statement, values, CARD)
    next_cursor = None
    if len(rows) > limit:
        rows = rows[:limit]
        last = rows[-1][0]
        next_cursor = Cursor(last.published_at, last.id).encode()
    return Page(items=cards(session, user, rows), next_cursor=next_cursor)


def home_stream(
    session: Session, *, user: User, cursor: str | None = None, limit: int = 20
) -> Page[PostCard]:
    """Newest posts from my spaces, plus announcements in public spaces, newest first."""
    after = Cursor.decode(cursor)
    return _page(session, user, _home_statement(after is not None), after, limit)


def news_since() -> str:
    """The point a stream page shows posts up to, as the cursor new_posts_count counts from."""
    return Cursor(utcnow(), MAX_ID).encode()


def new_posts_count(
    session: Session, *, user: User, since: Cursor, space: SpaceAccess | None = None
) -> int:
    """How many posts a stream would show above `since` (the top of what the reader sees):
    others' posts in the home stream's sources, or in one space they can read. At most 100."""
    newer = tuple_(Post.published_at, Post.id) > tuple_(since.at, since.id)
    ids = select(col(Post.id)).where(
        newer, col(Post.author_id) != user.id, *shown_in_streams(utcnow())
    )
    if space is not None:
        require_read(space)
        ids = ids.where(col(Post.space_id) == space.space.id)
    else:
        announced = select(col(Post.id)).join(Space, col(Space.id) == Post.space_id)
        announced = announced.where(col(Post.kind) == PostKind.announcement, public_spaces_filter())
        ids = ids.where(
            or_(
                col(Post.space_id).in_(member_space_ids_of(user.id)),
                col(Post.id).in_(announced),
            )
        )
    limited = ids.limit(100).subquery()
    return int(session.execute(select(func.count()).select_from(limited)).scalar_one())


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
    after = Cursor.decode(cursor)
    statement = _space_statement(after is not None, include_pinned)
    return _page(session, access.user, statement, after, limit, space_id=access.space.id)


def pinned_posts(session: Session, *, access: SpaceAccess, limit: int = 10) -> list[PostCard]:
    require_read(access)
    values = prepared.values(access.user.id, utcnow(), limit, space_id=access.space.id)
    return cards(session, access.user, fetch(session, _pinned_statement(), values, CARD))


def posts_by_author(
    session: Session, *, viewer: User, author_id: int, cursor: str | None = None, limit: int = 20
) -> Page[PostCard]:
    """A person's posts as the viewer may see them (only spaces the viewer can read)."""
    after = Cursor.decode(cursor)
    statement = _by_author_statement(after is not None)
    return _page(session, viewer, statement, after, limit, author_id=author_id)


def post_card(session: Session, *, user: User, post: Post, space: Space) -> PostCard:
    """The card of a post the page has loaded (to show, edit or react to it)."""
    author = session.get(User, post.author_id) if post.author_id else None
    person = PersonRow.of(author) if author else None
    return cards(session, user, [(PostRow.of(post), person, SpaceRow.of(space))])[0]


@cache
def _comments_statement(paged: bool) -> Any:
    query = (
        select(*columns(COMMENT))
        .outerjoin(User, col(User.id) == Comment.author_id)
        .where(
            col(Comment.post_id) == POST,
            *comments_shown_to(VIEWER),
        )
    )
    if paged:
        query = query.where(tuple_(Comment.created_at, Comment.id) > tuple_(AFTER_AT, AFTER_ID))
    return query.order_by(col(Comment.created_at), col(Comment.id)).limit(LIMIT)


def comments_page(
    session: Session,
    *,
    user: User,
    post: Post | PostRow,
    cursor: str | None = None,
    limit: int = 50,
) -> Page[tuple[CommentRow, PersonRow | None]]:
    """Comments oldest first, one query per page; hidden ones only for their author."""
    after = Cursor.decode(cursor)
    params: dict[str, Any] = {"post_id": post.id, "viewer_id": user.id, "limit": limit + 1}
    if after is not None:
        params.update(after_at=after.at, after_id=after.id)
    statement = _comments_statement(after is not None)
    rows: list[Any] = fetch(session, statement, params, COMMENT)
    next_cursor = None
    if len(rows) > limit:
        rows = rows[:limit]
        last = rows[-1][0]
        next_cursor = Cursor(last.created_at, last.id).encode()
    return Page(items=rows, next_cursor=next_cursor)


# Before every comment: where a post's live watcher starts when it shows none yet.
_FIRST = Cursor(datetime(2000, 1, 1, tzinfo=UTC), 0)


def live_comments_cursor(
    page: Page[tuple[CommentRow, PersonRow | None]], cursor: str | None
) -> str | None:
    """Where comments written from now on start, when this page shows the last of them
    (None while more pages follow: those come through "More comments")."""
    if page.next_cursor is not None:
        return None
    if page.items:
        last = page.items[-1][0]
        return Cursor(last.created_at, last.id).encode()
    return cursor or _FIRST.encode()


SINCE = bindparam("since", type_=UTCDateTime)


@cache
def _changed_comments_statement() -> Any:
    shown = and_(*comments_shown_to(VIEWER)).label("shown")
    return (
        select(*[*columns(COMMENT), shown])
        .outerjoin(User, col(User.id) == Comment.author_id)
        .where(
            col(Comment.post_id) == POST,
            comments_changed_since(SINCE),
        )
        .order_by(col(Comment.created_at), col(Comment.id))
        .limit(LIMIT)
    )


def changed_comments(
    session: Session, *, user: User, post: Post | PostRow, since: datetime, limit: int = 200
) -> tuple[list[tuple[CommentRow, PersonRow | None]], list[int]]:
    """The post's comments edited, deleted or hidden since `since` (an open page's live
    watcher): those the reader may still see, to show anew, and the ids of those to take away.
    The caller has checked that the reader may read the post."""
    params = {"post_id": post.id, "viewer_id": user.id, "since": since, "limit": limit}
    rows = fetch(session, _changed_comments_statement(), params, COMMENT)
    shown = [(comment, author) for comment, author, visible in rows if visible]
    gone = [comment.id for comment, _author, visible in rows if not visible]
    return shown, gone
