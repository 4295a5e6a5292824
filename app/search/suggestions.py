"""The header box's suggestions while typing: a few matches of each kind, from the same index
and the same rule on who may read what as the search page."""

from sqlmodel import Session

from app.people.models import User
from app.search.models import SearchKind
from app.search.service import SearchFilters, SearchHit, prepared, search

CONTENT_SUGGESTIONS = 7
PEOPLE_SUGGESTIONS = 4
# The header's suggestions rank a smaller window of newest matches: they answer every keystroke.
SUGGESTION_WINDOW = 40
CONTENT_KINDS = (SearchKind.post, SearchKind.comment, SearchKind.protocol, SearchKind.event)


def suggestions(session: Session, *, user: User, text_query: str) -> list[SearchHit]:
    """A few matches of each kind, in the order of the kinds."""
    query = prepared(session, text_query)
    if query.empty:
        return []
    groups = (
        (SearchFilters(kinds=CONTENT_KINDS), CONTENT_SUGGESTIONS),
        (SearchFilters(kinds=(SearchKind.space, SearchKind.person)), PEOPLE_SUGGESTIONS),
    )
    hits = [
        hit
        for filters, limit in groups
        for hit in search(
            session,
            user=user,
            text_query=query,
            filters=filters,
            limit=limit,
            window=SUGGESTION_WINDOW,
        ).items
    ]
    order = list(SearchKind)
    hits.sort(key=lambda hit: order.index(hit.kind))
    return hits
