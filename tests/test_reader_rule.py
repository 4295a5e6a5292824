"""The live rooms' reader query (READERS_STATEMENT) answers exactly what the policy's read rule
answers for a person and a space: it is built from the same clause (space_readable_by)."""

import pytest

from app.access.protocols import reader_ids
from app.access.spaces import access_for
from app.protocols.service import create_protocol
from app.spaces.models import Membership, MemberState
from tests.factories import make_space, make_user


@pytest.mark.parametrize("visibility", ["public", "private", "secret"])
def test_the_room_readers_are_the_policy_readers(session, visibility):
    host, member, outsider, asking, gone = (make_user(session) for _ in range(5))
    space = make_space(session, host=host, visibility=visibility, members=(member, gone))
    session.add(Membership(space_id=space.id, user_id=asking.id, state=MemberState.requested))
    gone.is_active = False
    session.add(gone)
    protocol = create_protocol(
        session, access=access_for(session, host, space), title="Weekly", text="# Notes"
    )
    session.flush()
    people = [host, member, outsider, asking, gone]

    readers = reader_ids(session, protocol.id, [p.id for p in people])

    expected = {p.id for p in people if p.is_active and access_for(session, p, space).can_read}
    assert readers == expected
    assert member.id in readers and gone.id not in readers
    assert (outsider.id in readers) == (asking.id in readers) == (visibility == "public")
