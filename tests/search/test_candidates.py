"""A word still being typed past the length FTS5 keeps prefix indexes of (3 letters) is
completed to the index's words it starts (on SQLite): the readable matches behind many
unreadable newer ones are still found, the next page goes on from where the first stopped,
and only the most common completions are kept. A search of the content kinds leaves out the
other kinds' documents."""

import pytest
from sqlalchemy import text
from sqlmodel import Session

from app.posts.service import create_post
from app.search.candidates import FIRST_BATCH, INDEXED_PREFIX, MAX_COMPLETIONS, completed
from app.search.models import SearchKind
from app.search.service import SearchFilters, prepared, search
from app.search.suggestions import CONTENT_KINDS
from app.search.text import fts5_match, parse_query
from app.spaces.access import access_for
from tests.factories import make_post, make_space, make_user

HIDDEN = 3 * FIRST_BATCH + 10  # more than the first batches of matches


def test_a_long_prefix_finds_readable_matches_behind_unreadable_ones(session: Session):
    host, reader = make_user(session, name="Hanna Host"), make_user(session, name="Rita Reader")
    open_space = make_space(session, host=host)
    secret = make_space(session, host=host, visibility="private")
    for n in range(5):
        make_post(
            session, author=host, space=open_space, title=f"Readable {n}", body="Nichtraucher"
        )
    posting = access_for(session, host, secret)
    for n in range(HIDDEN):
        create_post(session, access=posting, title=f"Secret {n}", body="nichtig und nichtssagend")
    session.commit()
    typed = "nicht"
    assert len(typed) > INDEXED_PREFIX

    first = search(session, user=reader, text_query=typed, filters=SearchFilters(), limit=3)
    assert [hit.title for hit in first.items] == ["Readable 4", "Readable 3", "Readable 2"]
    assert first.next_cursor
    rest = search(
        session, user=reader, text_query=typed, filters=SearchFilters(), limit=3,
        cursor=first.next_cursor,
    )  # fmt: skip
    assert [hit.title for hit in rest.items] == ["Readable 1", "Readable 0"]
    assert rest.next_cursor is None


def _sqlite(session: Session) -> bool:
    return session.get_bind().dialect.name == "sqlite"


def test_a_long_prefix_is_completed_to_the_words_of_the_index(session: Session):
    host = make_user(session, name="Hanna Host")
    space = make_space(session, host=host)
    make_post(session, author=host, space=space, title="Protokolle", body="Protokollführung")
    make_post(session, author=host, space=space, title="Other", body="Prototyp")
    session.commit()
    query = prepared(session, "protok")
    (clause,) = query.wanted
    if not _sqlite(session):  # PostgreSQL's GIN index answers any prefix itself
        assert query == parse_query("protok")
        return
    assert {"protokolle", "protokollfuehrung"} <= set(clause.forms)
    assert "prototyp" not in clause.forms
    assert all(len(p) <= INDEXED_PREFIX for p in clause.prefixes)
    titles = {hit.title for hit in search(session, user=host, text_query=query).items}
    assert titles == {"Protokolle"}
    # A prefix nothing starts with completes to nothing and finds nothing.
    assert search(session, user=host, text_query="protz").items == []


def test_only_the_most_common_completions_are_kept(session: Session):
    if not _sqlite(session):
        pytest.skip("completions are how SQLite answers a long prefix; PostgreSQL needs none")
    host = make_user(session, name="Hanna Host")
    space = make_space(session, host=host)
    rare = [f"zettel{chr(97 + n // 26)}{chr(97 + n % 26)}" for n in range(MAX_COMPLETIONS)]
    for word in rare:
        make_post(session, author=host, space=space, title="Rare", body=word)
    for n in range(3):
        make_post(session, author=host, space=space, title=f"Common {n}", body="zettelkasten")
    session.commit()
    typed = parse_query("zettel")
    (clause,) = completed(session, typed).wanted
    words = set(clause.forms) - set(typed.wanted[0].forms)
    assert len(words) <= MAX_COMPLETIONS < len(rare) + 2  # words of the index starting so
    assert {"zettelkasten", "zettelkast"} <= words  # the commonest (3 documents each)
    assert not set(rare) <= words  # some rare one left out
    first = search(session, user=host, text_query="zettel", limit=3).items
    assert [hit.title for hit in first] == ["Common 2", "Common 1", "Common 0"]


def test_content_kinds_leave_out_spaces_and_people(session: Session):
    host = make_user(session, name="Kasimir Quell")
    space = make_space(session, host=host, name="Quellcode")
    post = make_post(session, author=host, space=space, title="Quellen", body="Quelle")
    session.commit()
    content = SearchFilters(kinds=CONTENT_KINDS)
    found = search(session, user=host, text_query="quell", filters=content).items
    assert [(hit.kind, hit.id) for hit in found] == [(SearchKind.post, post.id)]
    people = SearchFilters(kinds=(SearchKind.space, SearchKind.person))
    kinds = {
        hit.kind for hit in search(session, user=host, text_query="quell", filters=people).items
    }
    assert kinds == {SearchKind.space, SearchKind.person}


def test_the_match_leaves_out_other_kinds_or_keeps_the_wanted_ones():
    query = parse_query("plan", typing=False)
    left_out = fts5_match(query, other_kinds=("space", "person"))
    assert left_out.endswith(' NOT ("0kindspace" OR "0kindperson")')
    kept = fts5_match(query, ("space",))
    assert kept.endswith(' AND ("0kindspace")')


def test_the_full_text_index_merges_eight_segments_at_a_time(session: Session):
    if not _sqlite(session):
        pytest.skip("FTS5's own setting; PostgreSQL's GIN index has none like it")
    setting = session.execute(text("SELECT v FROM search_fts_config WHERE k = 'automerge'"))
    assert setting.scalar() == 8
