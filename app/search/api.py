"""Search: everything the caller may read that matches a query, newest first."""

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from app.api.deps import ApiUser, Cursor, Limit
from app.api.schemas import ApiDateTime
from app.core.security import SessionDep
from app.core.transactions import TransactionalRoute
from app.search.models import SearchKind
from app.search.service import SearchHit, search, search_filters

router = APIRouter(route_class=TransactionalRoute, tags=["search"])

SNIPPET_HELP = (
    "Plain text around the first match. Each matched word stands between U+E000 (start) and "
    "U+E001 (end), characters the indexed text never holds; escape the rest before showing it."
)


class SearchAuthorOut(BaseModel):
    handle: str
    display_name: str


class SearchHitOut(BaseModel):
    type: SearchKind
    id: int = Field(description="The id of the post, comment, protocol, event, space or person")
    title: str = Field(description="A comment's is its post's title; a person's their name")
    snippet: str = Field(description=SNIPPET_HELP)
    url: str = Field(description="Where it is shown (a comment: its post, at the comment)")
    space: str | None = Field(description="The space's slug (null for people)")
    author: SearchAuthorOut | None
    created_at: ApiDateTime


class SearchPage(BaseModel):
    items: list[SearchHitOut]
    next_cursor: str | None


def _hit_out(hit: SearchHit) -> SearchHitOut:
    author = None
    if hit.author_handle and hit.author_name:
        author = SearchAuthorOut(handle=hit.author_handle, display_name=hit.author_name)
    return SearchHitOut(
        type=hit.kind,
        id=hit.id,
        title=hit.title,
        snippet=hit.snippet,
        url=hit.url,
        space=hit.space_slug,
        author=author,
        created_at=hit.created_at,
    )


# The query's parameters as the OpenAPI document describes them.
Words = Annotated[
    str,
    Query(
        max_length=10_000,
        description='Words (all required; German and English stems match), "a phrase", '
        "-word to exclude; the last word also matches as a prefix",
    ),
]
KindFilter = Annotated[SearchKind | None, Query(description="Only this kind of result")]
SpaceFilter = Annotated[str | None, Query(max_length=60, description="A space's slug")]
AuthorFilter = Annotated[str | None, Query(max_length=41, description="A person's handle")]
Since = Annotated[date | None, Query(description="Created on or after this day (UTC)")]
Until = Annotated[date | None, Query(description="Created on or before this day (UTC)")]


@router.get("/search", response_model=SearchPage)
def search_api(
    session: SessionDep,
    user: ApiUser,
    q: Words = "",
    type: KindFilter = None,
    space: SpaceFilter = None,
    author: AuthorFilter = None,
    since: Since = None,
    until: Until = None,
    cursor: Cursor = None,
    limit: Limit = 20,
) -> SearchPage:
    """What the caller may read that matches `q`, newest first, by pages."""
    kind = type.value if type else None
    filters = search_filters(kind, space, author, _day(since), _day(until))
    at_most = min(limit, 50)
    page = search(
        session,
        user=user,
        text_query=q,
        filters=filters,
        cursor=cursor,
        limit=at_most,
        typing=False,
    )
    return SearchPage(items=[_hit_out(h) for h in page.items], next_cursor=page.next_cursor)


def _day(value: date | None) -> str | None:
    return value.isoformat() if value else None
