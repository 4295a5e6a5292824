"""Kudos in the space and home streams, for receivers who chose to show them there.

A stream page merges two keyset-paginated sources, posts and kudos, newest first. The page's
cursor is the position of the last entry shown: (time, post id) after a post, (time, -kudos
id) after a kudos, so post cursors handed out before kudos joined the stream stay valid. At
equal times posts come first. From that one position each source gets its own plain keyset
condition, so no entry is skipped or repeated, and a page costs the posts' queries plus one.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from typing import Any

from sqlalchemy import ColumnElement, Integer, and_, bindparam, case, exists, tuple_
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, select

from app.access.posts import comment_shown, post_not_removed
from app.core.pagination import Cursor, Page
from app.core.prepared import AFTER_AT, AFTER_ID, LIMIT, VIEWER
from app.core.rows import fetch
from app.people.models import PersonRow, User
from app.posts.models import Comment, Post
from app.posts.streams import PostCard
from app.protocols.models import Protocol
from app.recognition.models import Kudos, KudosRow, RecognitionPreference
from app.spaces.access import SpaceAccess, member_space_ids_of, require_read

# Larger than any id: "every kudos given at this moment or before".
_ALL_IDS = 2**62


@dataclass
class ThanksEntry:
    """A compact kudos line in a stream."""

    kudos: KudosRow
    giver: PersonRow
    receiver: PersonRow
    target_title: str | None = None
    target_url: str | None = None

    @property
    def at(self) -> datetime:
        return self.kudos.created_at


def _position(entry: Any) -> tuple[datetime, int, int]:
    """Sort key, newest first when reversed: time, then posts before kudos, then id."""
    if isinstance(entry, ThanksEntry):
        return (entry.kudos.created_at, 0, entry.kudos.id or 0)
    return (entry.post.published_at, 1, entry.post.id or 0)


def _cursor_after(entry: Any) -> str:
    if isinstance(entry, ThanksEntry):
        return Cursor(entry.kudos.created_at, -(entry.kudos.id or 0)).encode()
    return Cursor(entry.post.published_at, entry.post.id or 0).encode()


def _split(cursor: str | None) -> tuple[str | None, Cursor | None]:
    """The posts' cursor and the kudos' keyset bound for what comes after the position."""
    position = Cursor.decode(cursor)
    if position is None:
        return None, None
    if position.id >= 0:  # after a post: kudos of the same moment are still to come
        return cursor, Cursor(position.at, _ALL_IDS)
    return Cursor(position.at, 0).encode(), Cursor(position.at, -position.id)


def _live_post(post: Any) -> ColumnElement[bool]:
    return and_(*post_not_removed(post))


@cache
def _thanks_statement(scope: str, paged: bool) -> Any:
    """Kudos with giver, receiver and what they were for, in one statement built once per
    process: in one space (`space_id`), or in the viewer's spaces (`viewer_id`)."""
    if scope == "space":
        where = col(Kudos.space_id) == bindparam("space_id", type_=Integer)
    else:
        where = col(Kudos.space_id).in_(member_space_ids_of(VIEWER))
    users = User.__table__  # type: ignore[attr-defined]
    giver, receiver = users.alias("giver"), users.alias("receiver")
    post, comment, comment_post = aliased(Post), aliased(Comment), aliased(Post)
    title = case(
        (col(Kudos.target_type) == "post", post.title),
        (col(Kudos.target_type) == "comment", comment_post.title),
        (col(Kudos.target_type) == "protocol", Protocol.title),
    )
    shown = [*KudosRow.columns(), *PersonRow.columns(giver), *PersonRow.columns(receiver)]
    shown += [title.label("title"), col(comment_post.id).label("post_id")]
    query = (
        select(*shown)
        .join(giver, giver.c.id == Kudos.giver_id)
        .join(receiver, receiver.c.id == Kudos.receiver_id)
        .outerjoin(
            post,
            and_(
                col(Kudos.target_type) == "post", col(post.id) == Kudos.target_id, _live_post(post)
            ),
        )
        .outerjoin(
            comment,
            and_(
                col(Kudos.target_type) == "comment",
                col(comment.id) == Kudos.target_id,
                *comment_shown(comment),
            ),
        )
        .outerjoin(
            comment_post, and_(col(comment_post.id) == comment.post_id, _live_post(comment_post))
        )
        .outerjoin(
            Protocol,
            and_(col(Kudos.target_type) == "protocol", col(Protocol.id) == Kudos.target_id),
        )
        .where(where, _receiver_shows_them())
    )
    if paged:
        query = query.where(tuple_(Kudos.created_at, Kudos.id) < tuple_(AFTER_AT, AFTER_ID))
    return query.order_by(col(Kudos.created_at).desc(), col(Kudos.id).desc()).limit(LIMIT)


def _thanks(
    session: Session, scope: str, params: dict[str, Any], after: Cursor | None, limit: int
) -> list[ThanksEntry]:
    values = {**params, "limit": limit}
    if after is not None:
        values.update(after_at=after.at, after_id=after.id)
    statement = _thanks_statement(scope, after is not None)
    entries = []
    shape = (KudosRow, PersonRow, PersonRow)
    for kudos, giver, receiver, target_title, post_id in fetch(session, statement, values, shape):
        entry = ThanksEntry(kudos=kudos, giver=giver, receiver=receiver)
        if target_title is not None:
            entry.target_title = target_title
            entry.target_url = {
                "post": f"/posts/{kudos.target_id}",
                "comment": f"/posts/{post_id}#comment-{kudos.target_id}",
                "protocol": f"/protocols/{kudos.target_id}",
            }.get(kudos.target_type or "")
        entries.append(entry)
    return entries


def _receiver_shows_them() -> ColumnElement[bool]:
    return exists().where(
        col(RecognitionPreference.user_id) == Kudos.receiver_id,
        col(RecognitionPreference.kudos_in_space).is_(True),
    )


def _merge(
    session: Session,
    *,
    posts_page: Callable[[str | None], Page[PostCard]],
    scope: str,
    params: dict[str, Any],
    cursor: str | None,
    limit: int,
) -> tuple[Page[PostCard], list[Any]]:
    posts_cursor, kudos_after = _split(cursor)
    posts = posts_page(posts_cursor)
    thanks = _thanks(session, scope, params, kudos_after, limit + 1)
    entries = sorted([*posts.items, *thanks], key=_position, reverse=True)
    more = len(entries) > limit or posts.next_cursor is not None
    shown = entries[:limit]
    next_cursor = _cursor_after(shown[-1]) if more and shown else None
    cards = [entry for entry in shown if isinstance(entry, PostCard)]
    return Page(items=cards, next_cursor=next_cursor), shown


def space_stream_with_thanks(
    session: Session,
    *,
    access: SpaceAccess,
    posts_page: Callable[[str | None], Page[PostCard]],
    cursor: str | None = None,
    limit: int = 20,
) -> tuple[Page[PostCard], list[Any]]:
    """A space's stream page with the kudos given for its content whose receivers show them:
    (the page of the cards shown, with the next cursor; every entry in order)."""
    require_read(access)
    params = {"space_id": access.space.id}
    return _merge(
        session, posts_page=posts_page, scope="space", params=params, cursor=cursor, limit=limit
    )


def home_stream_with_thanks(
    session: Session,
    *,
    user: User,
    posts_page: Callable[[str | None], Page[PostCard]],
    cursor: str | None = None,
    limit: int = 20,
) -> tuple[Page[PostCard], list[Any]]:
    """The home stream with kudos shown in the spaces the person is a member of."""
    params = {"viewer_id": user.id}
    return _merge(
        session, posts_page=posts_page, scope="home", params=params, cursor=cursor, limit=limit
    )
