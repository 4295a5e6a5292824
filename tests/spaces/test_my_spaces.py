"""The home page's list of my spaces: active memberships only, with member counts."""

from app.spaces.access import access_for
from app.spaces.service import join_space, my_spaces, set_archived
from tests.factories import make_space, make_user


def test_my_spaces_lists_active_memberships_with_counts_and_skips_archived(session):
    me, host, other = make_user(session), make_user(session), make_user(session)
    make_space(session, host=host, members=(me, other), name="B crowded")
    make_space(session, host=me, name="A small")
    archived = make_space(session, host=host, members=(me,), name="C archived")
    set_archived(session, access=access_for(session, host, archived), archived=True)
    asked = make_space(session, host=host, visibility="private", join_policy="request")
    join_space(session, access=access_for(session, me, asked))  # a request, not a membership
    make_space(session, host=other, name="D not mine")
    session.commit()

    rows = my_spaces(session, user=me)

    assert [(space.name, count) for space, count in rows] == [("A small", 1), ("B crowded", 3)]
