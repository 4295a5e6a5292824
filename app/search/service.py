"""Searching: what the reader may read, matching the query, newest first, one page at a time.

One statement per page on either engine: the engine's full-text index picks the matching
documents, the access policy keeps those the reader may read, and a keyset on (created_at, id)
pages through them. Results are ordered by recency, not by a relevance score: that keeps pages
stable under a cursor and keeps a word found in 100,000 documents as cheap as a rare one
(the engines walk the date index and stop after one page).

Visibility is never copied into the index. Each kind of document is kept only while its source
is readable by the same rules pages use: posts shown in streams (published, not hidden, not
deleted) in a readable space, comments likewise and not hidden or deleted themselves,
protocols and events in a readable space, spaces the reader may list, active people.
"""

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import ColumnElement, and_, exists, func, literal_column, or_, text, tuple_
from sqlalchemy import select as sa_select
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, select

from app.access.posts import comment_shown as comment_not_removed
from app.access.posts import shown_in_streams
from app.db import utcnow
from app.errors import Invalid
from app.events.models import Event
from app.pagination import Cursor, Page
from app.people.models import User
from app.posts.models import Comment, Post
from app.protocols.models import Protocol
from app.search.models import SearchDocument, SearchKind
from app.search.text import Query, fts5_match, parse_query, snippet, tsquery
from app.spaces.access import (
    listable_spaces_filter,
    readable_space_ids_of,
    require_read,
    space_access_by_slug,
)
from app.spaces.models import Space

D = SearchDocument
# What a hit shows of its space and author: aliases, so the policy's subqueries on spaces and
# users stay subqueries of their own (no correlation with these joins).
HitSpace = aliased(Space)
HitAuthor = aliased(User)
MAX_LIMIT = 50


@dataclass(frozen=True)
class SearchHit:
    kind: SearchKind
    id: int
    title: str
    snippet: str
    url: str
    space_slug: str | None
    space_name: str | None
    author_handle: str | None
    author_name: str | None
    created_at: datetime


@dataclass(frozen=True)
class SearchFilters:
    kind: SearchKind | None = None
    # Several kinds at once (the header's suggestions ask for people and spaces apart).
    kinds: tuple[SearchKind, ...] = ()
    space_slug: str | None = None
    author_handle: str | None = None
    since: datetime | None = None
    until: datetime | None = None


def _readable(user: User, now: datetime) -> ColumnElement[bool]:
    """Documents whose source this person may read now (the access policy, kind by kind)."""
    in_readable_space = col(D.space_id).in_(readable_space_ids_of(user.id))
    post_shown = exists().where(col(Post.id) == D.target_id, *shown_in_streams(now))
    comment_shown = exists().where(
        col(Comment.id) == D.target_id,
        *comment_not_removed(),
        col(Post.id) == Comment.post_id,
        *shown_in_streams(now),
    )
    space_listed = exists().where(col(Space.id) == D.target_id, listable_spaces_filter(user))
    person_active = exists().where(col(User.id) == D.target_id, col(User.is_active).is_(True))
    kind = col(D.kind)
    return or_(
        and_(kind == SearchKind.post.value, in_readable_space, post_shown),
        and_(kind == SearchKind.comment.value, in_readable_space, comment_shown),
        and_(
            kind == SearchKind.protocol.value,
            in_readable_space,
            exists().where(col(Protocol.id) == D.target_id),
        ),
        and_(
            kind == SearchKind.event.value,
            in_readable_space,
            exists().where(col(Event.id) == D.target_id),
        ),
        and_(kind == SearchKind.space.value, space_listed),
        and_(kind == SearchKind.person.value, person_active),
    )


# Past this many matches SQLite walks the date index and stops after one page; below it, it
# starts from the (short) list of matches and sorts them. Counting stops at the threshold.
DATE_ORDER_FROM = 2000
_COUNT_MATCHES = text(
    "SELECT count(*) FROM (SELECT rowid FROM search_fts WHERE search_fts MATCH :match LIMIT :n)"
)


def _matching(session: Session, query: Query) -> ColumnElement[bool]:
    if session.get_bind().dialect.name == "postgresql":
        simple: Any = literal_column("'simple'::regconfig")
        vector = func.to_tsvector(simple, D.terms)
        return vector.op("@@")(func.to_tsquery(simple, tsquery(query)))
    match = fts5_match(query)
    fts: Any = sa_select(literal_column("rowid")).select_from(text("search_fts"))
    fts = fts.where(text("search_fts MATCH :match").bindparams(match=match))
    common = session.execute(_COUNT_MATCHES, {"match": match, "n": DATE_ORDER_FROM + 1}).scalar()
    if (common or 0) > DATE_ORDER_FROM:
        # "id + 0" is no column for the planner: it cannot look rows up by the matches' ids,
        # so it reads newest first by (created_at, id) and checks each against the matches.
        return (col(D.id) + 0).in_(fts)
    return col(D.id).in_(fts)


def _url(kind: str, target_id: int, post_id: int | None, space_slug: str | None) -> str:
    if kind == SearchKind.comment:
        return f"/posts/{post_id}#comment-{target_id}"
    if kind == SearchKind.space:
        return f"/spaces/{space_slug}"
    paths = {"post": "posts", "protocol": "protocols", "event": "events", "person": "people"}
    return f"/{paths[kind]}/{target_id}"


def search(
    session: Session,
    *,
    user: User,
    text_query: str,
    filters: SearchFilters | None = None,
    cursor: Cursor | None = None,
    limit: int = 20,
    typing: bool = True,
) -> Page[SearchHit]:
    """One page of what the person may read that matches the query, newest first."""
    filters = filters or SearchFilters()
    query = parse_query(text_query, typing=typing)
    if query.empty:
        return Page(items=[], next_cursor=None)
    limit = max(1, min(limit, MAX_LIMIT))
    statement: Any = (
        sa_select(
            *(
                col(column)
                for column in (
                    D.kind,
                    D.target_id,
                    D.post_id,
                    D.title,
                    D.body,
                    D.created_at,
                    D.id,
                    HitSpace.slug,
                    HitSpace.name,
                    HitAuthor.handle,
                    HitAuthor.display_name,
                )
            )
        )
        .outerjoin(HitSpace, col(HitSpace.id) == D.space_id)
        .outerjoin(HitAuthor, col(HitAuthor.id) == D.author_id)
        .where(_matching(session, query), _readable(user, utcnow()))
    )
    if filters.kind is not None:
        statement = statement.where(col(D.kind) == filters.kind.value)
    if filters.kinds:
        statement = statement.where(col(D.kind).in_([kind.value for kind in filters.kinds]))
    if filters.space_slug:
        access = require_read(space_access_by_slug(session, user, filters.space_slug))
        statement = statement.where(col(D.space_id) == access.space.id)
    if filters.author_handle:
        author = select(User.id).where(col(User.handle) == filters.author_handle)
        statement = statement.where(col(D.author_id) == author.scalar_subquery())
    if filters.since is not None:
        statement = statement.where(col(D.created_at) >= filters.since)
    if filters.until is not None:
        statement = statement.where(col(D.created_at) < filters.until)
    if cursor is not None:
        statement = statement.where(tuple_(D.created_at, D.id) < tuple_(cursor.at, cursor.id))
    statement = statement.order_by(col(D.created_at).desc(), col(D.id).desc()).limit(limit + 1)
    rows = session.execute(statement).all()
    more = len(rows) > limit
    rows = rows[:limit]
    items = [
        SearchHit(
            kind=SearchKind(row[0]),
            id=row[1],
            title=row[3],
            snippet=snippet(row[4], query),
            url=_url(row[0], row[1], row[2], row[7]),
            space_slug=row[7],
            space_name=row[8],
            author_handle=row[9],
            author_name=row[10],
            created_at=row[5],
        )
        for row in rows
    ]
    next_cursor = Cursor(at=rows[-1][5], id=rows[-1][6]).encode() if more and rows else None
    return Page(items=items, next_cursor=next_cursor)


def parse_kind(value: str | None) -> SearchKind | None:
    if not value:
        return None
    try:
        return SearchKind(value)
    except ValueError as exc:
        raise Invalid("Unknown kind of result", field="type") from exc


def parse_day(value: str | None, *, field: str, end: bool = False) -> datetime | None:
    """A date from a filter (YYYY-MM-DD) as the UTC moment it starts (or, for `end`, ends)."""
    if not value:
        return None
    try:
        day = date.fromisoformat(value)
    except ValueError as exc:
        raise Invalid("Use a date like 2026-01-31", field=field) from exc
    start = datetime.combine(day, time.min, tzinfo=UTC)
    return start + timedelta(days=1) if end else start


def search_filters(
    type: str | None, space: str | None, author: str | None, since: str | None, until: str | None
) -> SearchFilters:
    return SearchFilters(
        kind=parse_kind(type),
        space_slug=space or None,
        author_handle=(author or "").removeprefix("@") or None,
        since=parse_day(since, field="from"),
        until=parse_day(until, field="to", end=True),
    )
