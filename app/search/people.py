"""People found through the search index: @mention suggestions (fast among 10,000 people)."""

from sqlmodel import Session, col, select

from app.people.models import User
from app.search.models import SearchKind
from app.search.service import SearchFilters, search
from app.search.text import MIN_PREFIX
from app.spaces.models import Space

# Where suggestions for a name are ranked: a name is rarely shared by more.
PEOPLE_WINDOW = 40


def people_matching(
    session: Session, *, viewer: User, text_query: str, readers_of: Space | None, limit: int = 8
) -> list[User] | None:
    """Active people whose name, handle, title or department match what is typed (the last
    word as a prefix), best first; with `readers_of`, only those who may read that space.
    None when the text is too short for the index (fewer than MIN_PREFIX letters)."""
    text_query = text_query.strip().lstrip("@")
    if len(text_query) < MIN_PREFIX:
        return None
    filters = SearchFilters(kind=SearchKind.person, readers_of=readers_of)
    hits = search(
        session,
        user=viewer,
        text_query=text_query,
        filters=filters,
        limit=limit,
        window=PEOPLE_WINDOW,
    ).items
    ids = [hit.id for hit in hits]
    found = {u.id: u for u in session.exec(select(User).where(col(User.id).in_(ids)))}
    return [found[i] for i in ids if i in found]
