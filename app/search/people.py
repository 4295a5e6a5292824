"""People found through the search index: @mention suggestions, the people directory and the
hosts' "add member" picker (one index, fast among 10,000 people)."""

import base64
import binascii
from dataclasses import dataclass

from sqlalchemy import and_, or_
from sqlmodel import Session, col, select

from app.access.spaces import SpaceAccess, memberships_among, require_manage
from app.core.errors import Invalid
from app.core.pagination import Page
from app.people.models import User
from app.search.models import SearchKind
from app.search.service import SearchFilters, search
from app.search.text import MIN_PREFIX
from app.spaces.models import Membership, Space

# Where suggestions for a name are ranked: a name is rarely shared by more.
PEOPLE_WINDOW = 40
DIRECTORY_PAGE = 30
PICKER_LIMIT = 8


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
    return _users_in_order(session, [hit.id for hit in hits])


def _users_in_order(session: Session, ids: list[int]) -> list[User]:
    """The people of these ids, in this order, in one query (active ones only)."""
    if not ids:
        return []
    query = select(User).where(col(User.id).in_(ids), col(User.is_active).is_(True))
    found = {u.id: u for u in session.exec(query)}
    return [found[i] for i in ids if i in found]


@dataclass(frozen=True)
class NameCursor:
    """Where the alphabetical directory goes on: after this (name, id)."""

    name: str
    id: int

    def encode(self) -> str:
        raw = f"{self.id}|{self.name}".encode()
        return base64.urlsafe_b64encode(raw).decode().rstrip("=")

    @classmethod
    def decode(cls, token: str) -> "NameCursor":
        try:
            raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)).decode()
            id_text, name = raw.split("|", 1)
            person_id = int(id_text)
            if not 0 <= person_id < 2**63:
                raise ValueError("out of range")
            return cls(name=name, id=person_id)
        except (ValueError, binascii.Error, UnicodeDecodeError) as exc:
            raise Invalid("That page link is not valid", field="cursor") from exc


def people_directory(
    session: Session,
    *,
    viewer: User,
    text_query: str = "",
    cursor: str | None = None,
    limit: int = DIRECTORY_PAGE,
) -> Page[User]:
    """One page of the people directory: active people, everyone by name (keyset on name and
    id), or, with a query, those the search index finds by name, handle, title or department
    (best first, keyset on the index's own cursor)."""
    text_query = text_query.strip().lstrip("@")[:200]
    if text_query:
        found = search(
            session,
            user=viewer,
            text_query=text_query,
            filters=SearchFilters(kind=SearchKind.person),
            cursor=cursor,
            limit=limit,
        )
        people = _users_in_order(session, [hit.id for hit in found.items])
        return Page(items=people, next_cursor=found.next_cursor)
    query = select(User).where(col(User.is_active).is_(True))
    if cursor:
        after = NameCursor.decode(cursor)
        query = query.where(
            or_(
                col(User.display_name) > after.name,
                and_(col(User.display_name) == after.name, col(User.id) > after.id),
            )
        )
    rows = list(session.exec(query.order_by(col(User.display_name), col(User.id)).limit(limit + 1)))
    more = len(rows) > limit
    rows = rows[:limit]
    next_cursor = NameCursor(rows[-1].display_name, rows[-1].id or 0).encode() if more else None
    return Page(items=rows, next_cursor=next_cursor)


@dataclass(frozen=True)
class MemberCandidate:
    person: User
    # The person's membership of the space, if any (active, invited or asking to join).
    membership: Membership | None


def member_candidates(
    session: Session, *, access: SpaceAccess, text_query: str, limit: int = PICKER_LIMIT
) -> list[MemberCandidate] | None:
    """People a host may add to the space, found by the search index as they type, each with
    their membership of it if they have one. None when the text is too short for the index."""
    require_manage(access)
    people = people_matching(
        session, viewer=access.user, text_query=text_query[:200], readers_of=None, limit=limit
    )
    if people is None:
        return None
    memberships = memberships_among(session, access.space, [p.id for p in people])
    return [MemberCandidate(person, memberships.get(person.id or 0)) for person in people]
