"""Relevance within the window of newest matches, paging through it and past it, and the
candidate batches that stop early (on the real database engine)."""

import pytest
from sqlmodel import Session

from app.core.db import utcnow
from app.core.errors import Invalid
from app.search import candidates
from app.search.models import SearchKind, recency_key
from app.search.service import SearchCursor, SearchFilters, search
from app.search.text import kind_mark
from tests.factories import make_comment, make_post, make_space, make_user


@pytest.fixture
def reader(session: Session):  # type: ignore[no-untyped-def]
    return make_user(session, name="Rita Reader")


def test_relevance_first_and_recency_breaks_ties(session: Session, reader) -> None:
    space = make_space(session, host=reader)
    make_post(session, author=reader, space=space, title="Budget", body="budget " * 6)
    make_post(session, author=reader, space=space, title="Lunch", body="A long note " * 30
              + "that mentions the budget once")  # fmt: skip
    make_post(session, author=reader, space=space, title="Budget review", body="budget")
    make_post(session, author=reader, space=space, title="Budget review", body="budget")
    hits = search(session, user=reader, text_query="budget", typing=False).items
    titles = [h.title for h in hits]
    # The word in the title and often in a short text beats a single mention in a long one.
    assert titles[-1] == "Lunch"
    assert set(titles[:3]) == {"Budget", "Budget review"}
    # Two equally relevant posts: the newer first.
    reviews = [h for h in hits if h.title == "Budget review"]
    assert reviews[0].id > reviews[1].id


def test_pages_go_through_the_window_then_past_it_newest_first(
    session: Session, reader, monkeypatch: pytest.MonkeyPatch
) -> None:
    space = make_space(session, host=reader)
    posts = [make_post(session, author=reader, space=space, title=f"Otter {n}") for n in range(9)]
    seen: list[int] = []
    cursor = None
    phases = []
    while True:
        page = search(session, user=reader, text_query="otter", limit=2, window=4, cursor=cursor)
        seen += [h.id for h in page.items]
        if page.next_cursor is None:
            break
        cursor = page.next_cursor
        decoded = SearchCursor.decode(cursor)
        assert decoded is not None
        phases.append("ranked" if decoded.score is not None else "older")
    assert sorted(seen) == sorted(p.id for p in posts)  # each once, none lost
    assert phases[0] == "ranked" and phases[-1] == "older"
    # Past the window (the newest 4), the older ones come newest first.
    assert seen[4:] == sorted(seen[4:], reverse=True)
    assert set(seen[:4]) == {p.id for p in posts[-4:]}


def test_a_filter_that_keeps_few_stops_early_with_a_cursor(
    session: Session, reader, monkeypatch: pytest.MonkeyPatch
) -> None:
    mine = make_space(session, host=reader)
    stranger = make_user(session)
    other = make_space(session, host=stranger, visibility="private")
    make_post(session, author=reader, space=mine, title="Walrus early")
    for n in range(12):
        make_post(session, author=stranger, space=other, title=f"Walrus {n}")
    monkeypatch.setattr(candidates, "FIRST_BATCH", 2)
    monkeypatch.setattr(candidates, "SCAN_LIMIT", 4)
    first = search(session, user=reader, text_query="walrus", typing=False, window=2)
    if session.get_bind().dialect.name == "sqlite":
        # Four matches read, none readable: nothing yet, and a way to look further.
        assert first.items == [] and first.next_cursor
    found, cursor = [h.title for h in first.items], first.next_cursor
    while cursor:
        page = search(
            session, user=reader, text_query="walrus", typing=False, window=2, cursor=cursor
        )
        found += [h.title for h in page.items]
        cursor = page.next_cursor
    assert found == ["Walrus early"]


def test_kind_filters_are_part_of_the_match(session: Session, reader) -> None:
    space = make_space(session, host=reader, name="Heron Hall")
    post = make_post(session, author=reader, space=space, title="Heron sighting")
    make_comment(session, author=reader, post=post, body="Heron again")
    kinds = SearchFilters(kinds=(SearchKind.space,))
    assert [
        h.kind for h in search(session, user=reader, text_query="heron", filters=kinds).items
    ] == [SearchKind.space]
    comments = SearchFilters(kind=SearchKind.comment)
    hits = search(session, user=reader, text_query="heron", filters=comments).items
    assert [h.kind for h in hits] == [SearchKind.comment]
    # The mark is a term like any other, but nobody types it by accident.
    assert kind_mark("post") == "0kindpost"


@pytest.mark.parametrize(
    "token",
    ["x", "cnwx", "b3w=", "b3x4eXo", "cnxuYW58MQ", "cnwxfDJ8Mw", "b3w5OTk5OTk5OTk5OTk5OTk5OTk5OTk"],
)
def test_bad_cursors_are_a_clear_error(session: Session, reader, token: str) -> None:
    with pytest.raises(Invalid):
        search(session, user=reader, text_query="otter", cursor=token)


def test_recency_orders_by_time_then_kind_and_id() -> None:
    now = utcnow()
    assert recency_key(SearchKind.post, 5, now) < recency_key(SearchKind.post, 6, now)
    assert recency_key(SearchKind.post, 2**27, now) < recency_key(
        SearchKind.post, 1, now.replace(microsecond=0) + __import__("datetime").timedelta(seconds=1)
    )
