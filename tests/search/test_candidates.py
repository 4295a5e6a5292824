"""A word still being typed past the length FTS5 keeps prefix indexes of (3 letters) has its
matches read once, ahead: the readable ones behind many unreadable newer ones are still found,
and the next page goes on from where the first stopped."""

from sqlmodel import Session

from app.posts.service import create_post
from app.search.candidates import FIRST_BATCH, INDEXED_PREFIX
from app.search.service import SearchFilters, search
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
