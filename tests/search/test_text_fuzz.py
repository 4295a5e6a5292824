"""Any text is a valid query: never an engine syntax error, never a 5xx (Hypothesis)."""

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.search.service import search
from app.search.text import MARK_END, MARK_START, parse_query, snippet, snippet_parts
from tests.factories import make_post, make_space, make_user

SYNTAX = st.sampled_from(
    ['"', "*", "NEAR(", ")", "(", ":", "-", "^", "+", "AND", "OR", "NOT", "!", "&", "|", "'",
     ":*", "\\", "{", "}", "col:", "\x00", "\x1f", "ß", "É", " "]
)  # fmt: skip
QUERIES = st.lists(st.one_of(SYNTAX, st.text(max_size=12)), max_size=12).map("".join)
FUZZ = settings(
    max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@pytest.fixture
def reader(session):  # type: ignore[no-untyped-def]
    """One person and one post, shared by every example (they only read)."""
    user = make_user(session)
    space = make_space(session, host=user)
    make_post(session, author=user, space=space, title="Needle", body="hay AND stack NEAR x")
    return user


@FUZZ
@given(text=QUERIES)
def test_any_query_runs(session, reader, text):  # type: ignore[no-untyped-def]
    search(session, user=reader, text_query=text)
    search(session, user=reader, text_query=text, typing=False)


@given(text=st.text(max_size=300), query=QUERIES)
def test_snippets_hold_only_our_marks_in_pairs(text, query):  # type: ignore[no-untyped-def]
    marked = snippet(text, parse_query(query))
    assert marked.count(MARK_START) == marked.count(MARK_END)
    assert "".join(part for part, _match in snippet_parts(marked)) == marked.replace(
        MARK_START, ""
    ).replace(MARK_END, "")


def test_a_long_body_shows_the_passage_of_its_first_match_with_every_match_there_marked():
    body = "filler " * 300 + "the Reiher flew, Reiher landed, " + "Reiher " * 100
    marked = snippet(body, parse_query("reiher", typing=False))
    assert marked.startswith("… ") and marked.endswith(" …")
    assert "filler the \ue000Reiher\ue001 flew, \ue000Reiher\ue001 landed" in marked
    shown = (
        marked.removeprefix("… ").removesuffix(" …").replace(MARK_START, "").replace(MARK_END, "")
    )
    assert len(shown) <= 200
    assert marked.count(MARK_START) == shown.count("Reiher") == marked.count(MARK_END)
