"""Searching: what the reader may read, matching the query, best first, one page at a time.

The candidate set is bounded: the newest RANK_WINDOW matches the reader may read
(app/search/candidates.py: the full-text index hands them out newest first and stops). They
are ranked by relevance, recency breaking ties (app/search/ranking.py), and "load more" pages
through them by a keyset on (score, recency); past them, older matches follow newest first by
a keyset on recency. A word found in 500,000 documents costs what a rare one does: at most
RANK_WINDOW documents are read and scored, whatever the number of matches.

Visibility is never copied into the index. Each kind of document is kept only while its source
is readable by the same rules pages use: posts shown in streams (published, not hidden, not
deleted) in a readable space, comments likewise and not hidden or deleted themselves,
protocols and events in a readable space, spaces the reader may list, active people.
"""

import base64
import binascii
import math
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import ColumnElement, and_, exists, or_
from sqlalchemy import select as sa_select
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, select

from app.access.posts import comment_shown as comment_not_removed
from app.access.posts import shown_in_streams
from app.access.spaces import readers_of
from app.core.db import utcnow
from app.core.errors import Invalid
from app.core.pagination import Page
from app.events.models import Event
from app.people.models import User
from app.posts.models import Comment, Post
from app.protocols.models import Protocol
from app.search.candidates import NEWEST, completed, newest_matches
from app.search.models import SearchDocument, SearchKind
from app.search.ranking import rank
from app.search.text import Matcher, Query, has_phrases, parse_query, snippet
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
    # People only: those who may read this space (whom a mention there would reach).
    readers_of: Space | None = None


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


def _url(kind: str, target_id: int, post_id: int | None, space_slug: str | None) -> str:
    if kind == SearchKind.comment:
        return f"/posts/{post_id}#comment-{target_id}"
    if kind == SearchKind.space:
        return f"/spaces/{space_slug}"
    paths = {"post": "posts", "protocol": "protocols", "event": "events", "person": "people"}
    return f"/{paths[kind]}/{target_id}"


RANK_WINDOW = 100


@dataclass(frozen=True)
class SearchCursor:
    """Where "load more" goes on: within the ranked window after (score, recency), or past
    the window, newest first below `recency`."""

    recency: int
    score: float | None = None

    def encode(self) -> str:
        raw = f"o|{self.recency}" if self.score is None else f"r|{self.score!r}|{self.recency}"
        return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")

    @classmethod
    def decode(cls, token: str | None) -> "SearchCursor | None":
        if not token:
            return None
        try:
            raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)).decode()
            phase, *values = raw.split("|")
            recency = int(values[-1])
            if not -(2**63) <= recency < 2**63 or phase not in ("o", "r") or len(values) > 2:
                raise ValueError("out of range")
            score = float(values[0]) if phase == "r" and len(values) == 2 else None
            if phase == "r" and (score is None or not math.isfinite(score)):
                raise ValueError("no score")
            return cls(recency=recency, score=score)
        except (ValueError, IndexError, binascii.Error, UnicodeDecodeError) as exc:
            raise Invalid("That page link is not valid", field="cursor") from exc


def _hit(row: Any, query: Query, matcher: Matcher) -> SearchHit:
    return SearchHit(
        kind=SearchKind(row.kind),
        id=row.target_id,
        title=row.title,
        snippet=snippet(row.body, query, matcher),
        url=_url(row.kind, row.target_id, row.post_id, row.slug),
        space_slug=row.slug,
        space_name=row.name,
        author_handle=row.handle,
        author_name=row.display_name,
        created_at=row.created_at,
    )


def _with_phrases(rows: list[Any], query: Query) -> list[Any]:
    """The rows whose text holds the query's quoted phrases (a comment: its own text only)."""
    if not query.phrases:
        return rows
    return [
        row
        for row in rows
        if has_phrases(row.body if row.kind == "comment" else f"{row.title} {row.body}", query)
    ]


def _statement(session: Session, user: User, filters: SearchFilters) -> Any:
    """Documents the person may read, with what a hit shows, narrowed by the filters."""
    columns = (D.kind, D.target_id, D.post_id, D.title, D.body, D.terms, D.created_at, D.recency)
    statement: Any = (
        sa_select(
            *(col(c) for c in columns),
            col(HitSpace.slug),
            col(HitSpace.name),
            col(HitAuthor.handle),
            col(HitAuthor.display_name),
        )
        .outerjoin(HitSpace, col(HitSpace.id) == D.space_id)
        .outerjoin(HitAuthor, col(HitAuthor.id) == D.author_id)
        .where(_readable(user, utcnow()))
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
    if filters.readers_of is not None:
        statement = statement.where(
            col(D.kind) == SearchKind.person.value, readers_of(filters.readers_of, D.target_id)
        )
    if filters.since is not None:
        statement = statement.where(col(D.created_at) >= filters.since)
    if filters.until is not None:
        statement = statement.where(col(D.created_at) < filters.until)
    return statement


def prepared(session: Session, text_query: str, *, typing: bool = True) -> Query:
    """The query as the engine will look for it (a long last prefix completed to words of the
    index), to ask several searches of one text at the price of one preparation."""
    return completed(session, parse_query(text_query, typing=typing))


def search(
    session: Session,
    *,
    user: User,
    text_query: str | Query,
    filters: SearchFilters | None = None,
    cursor: str | None = None,
    limit: int = 20,
    typing: bool = True,
    window: int = RANK_WINDOW,
) -> Page[SearchHit]:
    """One page of what the person may read that matches the query: the newest `window`
    matches ranked by relevance (recency breaks ties), then older matches newest first."""
    after = SearchCursor.decode(cursor)
    if isinstance(text_query, str):
        query = parse_query(text_query, typing=typing)
        if query.empty:
            return Page(items=[], next_cursor=None)
        query = completed(session, query)
    else:
        query = text_query
    if query.empty:
        return Page(items=[], next_cursor=None)
    limit = max(1, min(limit, MAX_LIMIT))
    filters = filters or SearchFilters()
    statement = _statement(session, user, filters)
    kinds = tuple(k.value for k in (*filters.kinds, *([filters.kind] if filters.kind else [])))
    if after is not None and after.score is None:  # past the ranked window
        found = newest_matches(
            session, statement, query, before=after.recency, want=limit, kinds=kinds
        )
        more = found.resume_before
        matcher = Matcher(query)
        return Page(
            items=[_hit(row, query, matcher) for row in _with_phrases(found.rows, query)],
            next_cursor=SearchCursor(more).encode() if more is not None else None,
        )
    found = newest_matches(session, statement, query, before=NEWEST, want=window, kinds=kinds)
    ranked = rank(_with_phrases(found.rows, query), query)
    if after is not None:
        key = (-(after.score or 0.0), -after.recency)
        ranked = [s for s in ranked if (-s.score, -s.recency) > key]
    page = ranked[:limit]
    next_cursor = None
    if len(ranked) > limit:
        next_cursor = SearchCursor(page[-1].recency, page[-1].score).encode()
    elif found.resume_before is not None:
        next_cursor = SearchCursor(found.resume_before).encode()
    matcher = Matcher(query)
    return Page(items=[_hit(s.row, query, matcher) for s in page], next_cursor=next_cursor)


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
