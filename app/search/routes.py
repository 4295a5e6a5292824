"""The search page (results as you type, with filters and "load more"), the header's
type-ahead suggestions, and what finds people through the same index: @mentions, the people
directory and the hosts' "add member" picker."""

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from app.core.pagination import Page
from app.core.security import CurrentUser, SessionDep, csrf_protect
from app.core.transactions import TransactionalRoute
from app.posts.service import mention_candidates
from app.search.models import SearchKind
from app.search.people import member_candidates, people_directory, people_matching
from app.search.service import SearchFilters, SearchHit, search, search_filters
from app.search.suggestions import suggestions as suggest
from app.search.text import snippet_parts
from app.spaces.access import require_manage, require_read, space_access_by_slug
from app.spaces.routes import members_context
from app.web.templates import is_htmx, render

router = APIRouter(route_class=TransactionalRoute, dependencies=[Depends(csrf_protect)])


@router.get("/search")
def search_page(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    q: str = "",
    type: str | None = None,
    space: str | None = None,
    author: str | None = None,
    since: str | None = None,
    until: str | None = None,
    cursor: str | None = None,
) -> Response:
    filters = search_filters(type, space, author, since, until)
    page = search(session, user=user, text_query=q, filters=filters, cursor=cursor)
    context = _results(q, page, filters, author=author, since=since, until=until)
    block = "search_items" if cursor and is_htmx(request) else None
    return render(request, "search/page.html", context, block=block)


def _results(q: str, page: Page[SearchHit], filters: SearchFilters, **typed: str | None) -> dict:
    """The results, and the filters as the form shows them again (empty when not set)."""
    shown = {name: value or "" for name, value in typed.items()}
    context = {"q": q, "page": page, "filters": filters, **shown}
    return {**context, "kinds": list(SearchKind), "snippet_parts": snippet_parts}


@router.get("/search/suggest")
def suggestions(request: Request, session: SessionDep, user: CurrentUser, q: str = "") -> Response:
    """The header box's matches while typing, grouped by kind: people and spaces asked apart,
    so a name is not crowded out by a busy week of posts."""
    hits = suggest(session, user=user, text_query=q)
    return render(request, "search/_suggestions.html", {"q": q, "hits": hits})


@router.get("/spaces/{slug}/mentions")
def mention_lookup(
    request: Request, session: SessionDep, user: CurrentUser, slug: str, q: str = ""
) -> Response:
    """People to suggest after '@' in a space: those who may read it. Two letters and more
    ask the search index (name, handle, title, department); fewer list names alphabetically."""
    access = require_read(space_access_by_slug(session, user, slug))
    people = people_matching(session, viewer=user, text_query=q[:100], readers_of=access.space)
    if people is None:
        people = mention_candidates(session, access=access, prefix=q)
    return render(request, "spaces/mentions.html", {"people": people})


@router.get("/people")
def people_page(
    request: Request, session: SessionDep, user: CurrentUser, q: str = "", cursor: str | None = None
) -> Response:
    """Everyone active, by name; or whom the index finds by name, handle, title, department."""
    page = people_directory(session, viewer=user, text_query=q, cursor=cursor)
    context = {"q": q, "page": page}
    if cursor and is_htmx(request):
        return render(request, "people/directory.html", context, block="people_items")
    return render(request, "people/directory.html", context)


@router.get("/spaces/{slug}/members/find")
def find_members(
    request: Request, session: SessionDep, user: CurrentUser, slug: str, q: str = ""
) -> Response:
    """The hosts' picker: people to add, found by the index as they type (the members page
    with the matches, or just the matches for htmx)."""
    access = require_manage(space_access_by_slug(session, user, slug))
    candidates = member_candidates(session, access=access, text_query=q)
    context = {**members_context(session, access), "find": q, "candidates": candidates}
    return render(request, "spaces/members.html", context)
