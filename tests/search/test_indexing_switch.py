"""AGORA_SEARCH_INDEXING=false (the write benchmark's "without the index") leaves the index be."""

from sqlmodel import Session, func, select

from app.core.config import get_settings
from app.search.models import SearchDocument, SearchKind
from app.search.service import SearchFilters, search
from tests.factories import make_comment, make_post, make_space, make_user


def _documents(session: Session, kind: SearchKind) -> int:
    return session.exec(
        select(func.count()).select_from(SearchDocument).where(SearchDocument.kind == kind)
    ).one()


def test_switched_off_a_new_post_and_comment_write_no_index_rows(session, monkeypatch):
    host = make_user(session, name="Hanna Host")
    space = make_space(session, host=host)
    posts, comments = _documents(session, SearchKind.post), _documents(session, SearchKind.comment)
    monkeypatch.setattr(get_settings(), "search_indexing", False)
    post = make_post(session, author=host, space=space, title="Quietly", body="Zebrafinken")
    make_comment(session, author=host, post=post, body="Zebrafinken singen")
    assert _documents(session, SearchKind.post) == posts
    assert _documents(session, SearchKind.comment) == comments
    found = search(session, user=host, text_query="Zebrafinken", filters=SearchFilters())
    assert found.items == []

    monkeypatch.setattr(get_settings(), "search_indexing", True)
    make_post(session, author=host, space=space, title="Loudly", body="Zebrafinken")
    found = search(session, user=host, text_query="Zebrafinken", filters=SearchFilters())
    assert [hit.title for hit in found.items] == ["Loudly"]
