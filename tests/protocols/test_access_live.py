"""A person who loses read access (removed from the space, deactivated) has their live socket
closed with 4403 before the next update goes out: whichever path the update takes (a live
edit, a form save, another process's update found by catch-up), it never reaches them.

The periodic access check (housekeeping) is pushed far out here, so only the check made before
sending can close the socket in time."""

from collections.abc import Iterator

import pytest
from starlette.websockets import WebSocketDisconnect

from app.people.service import set_active
from app.protocols import housekeeping, store
from app.protocols.rooms import Room, registry
from app.spaces.access import access_for
from app.spaces.service import leave_space, remove_member, update_space
from tests.factories import make_space, make_token, make_user
from tests.protocols.test_sync_inprocess import connect, handshake
from tests.protocols.yclient import YClient

SECRET_WORDS = "written after the removal"


@pytest.fixture(autouse=True)
def _no_periodic_access_check() -> Iterator[None]:
    saved = housekeeping.Timing.access_every
    housekeeping.Timing.access_every = 30.0
    yield
    housekeeping.Timing.access_every = saved


def _lose_access(session, how: str, host, member, space) -> None:  # type: ignore[no-untyped-def]
    if how == "removed":
        remove_member(session, access=access_for(session, host, space), user_id=member.id)
    elif how == "left":
        leave_space(session, access=access_for(session, member, space))
    elif how == "deactivated":
        set_active(session, user=member, active=False, actor=make_user(session, admin=True))
    elif how == "made private":  # a reader of a public space who is not a member
        space_access = access_for(session, host, space)
        update_space(
            session,
            access=space_access,
            name=space.name,
            description="",
            visibility="private",
            join_policy="request",
        )
    session.commit()


def _what_reaches(ws, y: YClient) -> int:
    """Read until the server closes; fail as soon as the secret words arrive."""
    while True:
        try:
            data = ws.receive_bytes()
        except WebSocketDisconnect as exc:
            return exc.code
        y.feed(data)
        assert SECRET_WORDS not in y.value(), "an update reached someone without access"


CASES = [
    ("private", "removed"),
    ("secret", "removed"),
    ("private", "left"),
    ("private", "deactivated"),
    ("public", "deactivated"),
    ("public", "made private"),
]


@pytest.mark.parametrize(("visibility", "how"), CASES)
def test_a_live_edit_never_reaches_someone_who_lost_access(
    session, client, make_protocol, visibility, how
):
    host, member = make_user(session), make_user(session)
    members = () if how == "made private" else (member,)
    space = make_space(session, host=host, members=members, visibility=visibility)
    protocol = make_protocol(host, space)
    hy, my = YClient(), YClient()
    with (
        connect(client, protocol.id, make_token(session, user=host)) as host_ws,
        connect(client, protocol.id, make_token(session, user=member)) as member_ws,
    ):
        handshake(host_ws, hy)
        handshake(member_ws, my)
        _lose_access(session, how, host, member, space)
        for message in hy.type(len(hy.text), SECRET_WORDS):
            host_ws.send_bytes(message)
        assert _what_reaches(member_ws, my) == 4403
    assert SECRET_WORDS in store.doc_text(registry.get(protocol.id).doc).to_py()


def test_a_form_save_never_reaches_someone_who_was_removed(session, client, make_protocol):
    host, member = make_user(session), make_user(session)
    space = make_space(session, host=host, members=(member,), visibility="private")
    protocol = make_protocol(host, space)
    my = YClient()
    with connect(client, protocol.id, make_token(session, user=member)) as member_ws:
        handshake(member_ws, my)
        _lose_access(session, "removed", host, member, space)
        saved = client.put(
            f"/api/v1/protocols/{protocol.id}",
            json={"text": f"# Minutes\n{SECRET_WORDS}\n", "base_version": 1},
            headers={"Authorization": f"Bearer {make_token(session, user=host)}"},
        )
        assert saved.status_code == 200
        assert _what_reaches(member_ws, my) == 4403


def test_another_process_update_never_reaches_someone_who_was_removed(
    session, client, make_protocol
):
    """Updates stored by another process reach a room by catch-up (notice or poll)."""
    host, member = make_user(session), make_user(session)
    space = make_space(session, host=host, members=(member,), visibility="private")
    protocol = make_protocol(host, space)
    my = YClient()
    with connect(client, protocol.id, make_token(session, user=member)) as member_ws:
        handshake(member_ws, my)
        _lose_access(session, "removed", host, member, space)
        # "Another process": its own room on the same database, storing an edit.
        elsewhere = Room(protocol.id, store.load_doc(protocol.id))
        elsewhere.change_text(lambda text: [(len(text), len(text), SECRET_WORDS)], host.id)
        room = registry.peek(protocol.id)
        assert room is not None
        assert room.catch_up() == 1
        assert _what_reaches(member_ws, my) == 4403


def test_someone_who_lost_access_cannot_pull_the_document_either(session, client, make_protocol):
    """A client may ask for the document at any time (sync step 1): not any more."""
    host, member = make_user(session), make_user(session)
    space = make_space(session, host=host, members=(member,), visibility="private")
    protocol = make_protocol(host, space)
    my = YClient()
    with connect(client, protocol.id, make_token(session, user=member)) as member_ws:
        handshake(member_ws, my)
        _lose_access(session, "removed", host, member, space)
        elsewhere = Room(protocol.id, store.load_doc(protocol.id))
        elsewhere.change_text(lambda text: [(len(text), len(text), SECRET_WORDS)], host.id)
        room = registry.peek(protocol.id)
        assert room is not None
        with room.lock:  # what the stale room would answer
            room.doc.apply_update(elsewhere.doc.get_update())
        member_ws.send_bytes(YClient().hello())
        assert _what_reaches(member_ws, my) == 4403


def test_the_others_keep_editing(session, client, make_protocol):
    host, member, other = make_user(session), make_user(session), make_user(session)
    space = make_space(session, host=host, members=(member, other), visibility="private")
    protocol = make_protocol(host, space)
    hy, my, oy = YClient(), YClient(), YClient()
    with (
        connect(client, protocol.id, make_token(session, user=host)) as host_ws,
        connect(client, protocol.id, make_token(session, user=member)) as member_ws,
        connect(client, protocol.id, make_token(session, user=other)) as other_ws,
    ):
        for ws, y in ((host_ws, hy), (member_ws, my), (other_ws, oy)):
            handshake(ws, y)
        _lose_access(session, "removed", host, member, space)
        for message in hy.type(len(hy.text), SECRET_WORDS):
            host_ws.send_bytes(message)
        assert _what_reaches(member_ws, my) == 4403
        while SECRET_WORDS not in oy.value():
            oy.feed(other_ws.receive_bytes())
