"""Erasure reaches every text the platform stores: protocols (live document, its history and
items), events, spaces, polls, showcase notes, flags, ... and a running CSV import."""

import time
from datetime import timedelta

import pytest
from pycrdt import Text
from sqlalchemy import JSON, LargeBinary, String
from sqlalchemy import select as sa_select
from sqlmodel import Session, SQLModel, select

from app.core.db import get_engine, utcnow
from app.events.models import Event
from app.events.schemas import EventInput
from app.events.service import create_event
from app.moderation.models import Flag
from app.people.erasure import erase_person
from app.people.import_batches import import_next_batch, start_import
from app.people.models import AuditEntry, PeopleImport, User
from app.polls.models import DatePoll, Poll, PollOption
from app.protocols import editing, service, store
from app.protocols.models import ActionItem, Protocol, ProtocolRevision, ProtocolUpdate
from app.protocols.rooms import CLOSE_RESYNC, read_text, registry
from app.showcase.models import ShowcaseSuggestion
from app.spaces.access import access_for
from app.spaces.models import Space
from tests.factories import make_post, make_space, make_token, make_user

NAME = "Erika Mustermann"


@pytest.fixture(autouse=True)
def _fresh_rooms():
    registry.clear()
    yield
    registry.clear()


def every_stored_text(session: Session) -> str:
    """Every text, JSON and binary column of every table, lower-cased, in one string: what a
    page, an API answer, an export, the search index or a resyncing editor could ever read."""
    parts: list[str] = []
    for table in SQLModel.metadata.sorted_tables:
        columns = [c for c in table.columns if isinstance(c.type, String | JSON | LargeBinary)]
        if not columns:
            continue
        for row in session.execute(sa_select(*columns)).all():
            for value in row:
                if isinstance(value, bytes | memoryview):
                    parts.append(bytes(value).decode("utf-8", "replace"))
                else:
                    parts.append(str(value))
    return "\n".join(parts).lower()


def _save(user, protocol_id, text):
    with Session(get_engine(), expire_on_commit=False) as s:
        base = editing.current_version(s, protocol_id=protocol_id).number
        editing.save_text(s, user=user, protocol_id=protocol_id, base_version=base, text=text)
        s.commit()


def _world(session):
    boss = make_user(session, admin=True, name="Anna Admin")
    erika = make_user(session, name=NAME, email="erika@example.com")
    host = make_user(session, name="Carl Colleague")
    space = make_space(session, host=host, members=(erika,))
    space.description = f"Founded by {NAME}."
    session.add(space)
    session.commit()
    access = access_for(session, host, space)
    protocol = service.create_protocol(
        session, access=access, title=f"1:1 with {NAME}", text="# Minutes\n"
    )
    session.commit()
    pid = protocol.id
    minutes = (
        "# Minutes\n"
        f"Present: Carl, {NAME}\n"
        "## Decisions\n"
        f"- @erika leads the launch\n"
        "## Tasks\n"
        f"- [ ] @erika send the slides due:2030-01-01\n"
        f"- [x] Carl thanks {NAME}\n"
    )
    _save(host, pid, minutes)
    _save(host, pid, minutes + f"Typed and deleted: {NAME}\n")  # in the log and a revision
    _save(host, pid, minutes)
    start = utcnow() + timedelta(days=3)
    event = create_event(
        session,
        access=access,
        data=EventInput(
            title=f"Farewell {NAME}",
            description=f"Cake for @erika ({NAME}). Ask @{host.handle}.",
            starts_at=start,
            ends_at=start + timedelta(hours=1),
            timezone="Europe/Berlin",
            location=f"{NAME}'s office",
        ),
    )
    post = make_post(session, author=host, space=space, title="Poll", body="Which?")
    poll = Poll(post_id=post.id, question=f"Who replaces {NAME}?")
    session.add(poll)
    session.flush()
    session.add(PollOption(poll_id=poll.id, position=0, text="@erika again"))
    session.add(
        DatePoll(
            space_id=space.id, title=f"Lunch with {NAME}", description="@erika", timezone="UTC"
        )
    )
    session.add(ShowcaseSuggestion(post_id=post.id, space_id=space.id, note=f"{NAME} wrote it"))
    session.add(
        Flag(
            target_type="post",
            target_id=post.id,
            post_id=post.id,
            space_id=space.id,
            reason=f"{NAME}?",
        )
    )
    session.commit()
    return boss, erika, host, space, pid, event.id


def test_every_text_column_forgets_the_name_and_the_protocol_history_too(session, login) -> None:
    boss, erika, host, space, pid, event_id = _world(session)
    before = every_stored_text(session)
    assert "mustermann" in before and "@erika" in before
    assert session.exec(select(ProtocolUpdate).where(ProtocolUpdate.protocol_id == pid)).all()

    erase_person(session, user=erika, content="keep", actor=boss)
    session.commit()
    session.expire_all()

    stored = every_stored_text(session)
    assert "mustermann" not in stored
    assert "@erika" not in stored and "erika@" not in stored
    # The document: its whole history is the replayed state, and it reads right.
    protocol = session.get(Protocol, pid)
    assert protocol is not None and protocol.title == "1:1 with former colleague"
    assert protocol.snapshot_seq == protocol.last_seq == protocol.text_seq
    assert not session.exec(select(ProtocolUpdate).where(ProtocolUpdate.protocol_id == pid)).all()
    text = str(service.replay_stored(pid).get("content", type=Text))
    assert "Present: Carl, former colleague\n" in text
    assert "- [ ] former colleague send the slides due:2030-01-01" in text
    assert text == protocol.text
    assert read_text(pid)[0] == text  # a room built now (nothing stale in memory)
    # Every revision is readable without the name; action items kept their rows.
    revisions = session.exec(select(ProtocolRevision).where(ProtocolRevision.protocol_id == pid))
    assert any("former colleague" in r.text for r in revisions)
    items = session.exec(select(ActionItem).where(ActionItem.protocol_id == pid)).all()
    assert sorted((i.text, i.present) for i in items) == [
        ("Carl thanks former colleague", True),
        ("former colleague send the slides due:2030-01-01", True),
    ]
    # Events: HTML rendered again (other mentions still link), places too.
    event = session.get(Event, event_id)
    assert event is not None and event.title == "Farewell former colleague"
    assert event.location == "former colleague's office"
    assert "former colleague" in event.description_html
    assert f'href="/people/@{host.handle}"' in event.description_html
    space_now = session.get(Space, space.id)
    assert space_now is not None and space_now.description == "Founded by former colleague."

    reader = login(host)
    for path in (
        f"/protocols/{pid}",
        f"/protocols/{pid}/history",
        f"/events/{event_id}",
        f"/spaces/{space.slug}",
        "/search?q=farewell",
    ):
        page = reader.get(path)
        assert page.status_code == 200, path
        assert "Mustermann" not in page.text and "@erika" not in page.text, path
    assert "Farewell former colleague" in reader.get("/search?q=farewell").text
    assert "No results" in reader.get("/search?q=Mustermann").text
    exported = reader.get(f"/protocols/{pid}/export.md")
    assert exported.status_code == 200 and "Mustermann" not in exported.text
    token = make_token(session, user=host)
    bearer = {"Authorization": f"Bearer {token}"}
    for path in (
        f"/api/v1/protocols/{pid}",
        f"/api/v1/protocols/{pid}/revisions",
        f"/api/v1/events/{event_id}",
        f"/api/v1/spaces/{space.slug}",
        f"/api/v1/spaces/{space.slug}/events",
        f"/api/v1/spaces/{space.slug}/protocols",
        "/api/v1/search?q=former",
    ):
        answer = reader.get(path, headers=bearer)
        assert answer.status_code == 200, path
        assert "mustermann" not in answer.text.lower() and "@erika" not in answer.text, path


def test_a_running_import_never_brings_an_erased_person_back(session, monkeypatch) -> None:
    monkeypatch.setattr("app.people.import_batches.BATCH", 1)
    boss = make_user(session, admin=True, name="Anna Admin")
    erika = make_user(session, name=NAME, email="erika@example.com")  # had an account already
    session.commit()
    text = (
        "email,name,title\n"
        "olaf@example.com,Olaf Olsen,\n"
        f"Erika@Example.com,{NAME},Engineer\n"
        "paula@example.com,Paula Park,\n"
    )
    job = start_import(session, text=text, new_people=2, admin=boss)
    import_next_batch(session, import_id=job.id)  # line 2: Olaf
    session.commit()

    erase_person(session, user=erika, content="keep", actor=boss)
    session.commit()
    for _ in range(3):
        import_next_batch(session, import_id=job.id)
        session.commit()

    session.expire_all()
    emails = set(session.exec(select(User.email)).all())
    assert "erika@example.com" not in emails
    assert {"olaf@example.com", "paula@example.com"} <= emails
    stored = session.get(PeopleImport, job.id)
    assert stored is not None and stored.finished_at is not None
    assert [(line, email) for line, email, _ in stored.invitations] == [
        (2, "olaf@example.com"),
        (4, "paula@example.com"),  # the other lines keep their numbers
    ]
    assert stored.failures == []
    skipped = session.exec(
        select(AuditEntry).where(AuditEntry.action == "user.import.skip_erased")
    ).one()
    assert (skipped.target_type, skipped.target_id, skipped.detail) == (
        "people_import",
        job.id,
        "line 3",
    )
    assert "mustermann" not in every_stored_text(session)


def test_an_erasure_reaches_an_import_that_has_not_reached_the_line_yet(session) -> None:
    boss = make_user(session, admin=True, name="Anna Admin")
    erika = make_user(session, name=NAME, email="erika@example.com")
    session.commit()
    job = start_import(
        session, text=f"email;name\nerika@example.com;{NAME}\n", new_people=0, admin=boss
    )
    session.commit()
    erase_person(session, user=erika, content="delete", actor=boss)
    session.commit()
    session.expire_all()
    stored = session.get(PeopleImport, job.id)
    assert stored is not None and "erika" not in stored.text.lower()
    import_next_batch(session, import_id=job.id)
    session.commit()
    assert session.exec(select(User).where(User.email == "erika@example.com")).first() is None


def test_an_open_room_is_rebuilt_without_the_name(session) -> None:
    boss = make_user(session, admin=True, name="Anna Admin")
    erika = make_user(session, name=NAME, email="erika@example.com")
    host = make_user(session, name="Carl Colleague")
    space = make_space(session, host=host, members=(erika,))
    protocol = service.create_protocol(
        session, access=access_for(session, host, space), title="Weekly", text=f"Hi {NAME}\n"
    )
    session.commit()
    room = registry.get(protocol.id)
    assert NAME in room.text()
    erase_person(session, user=erika, content="keep", actor=boss)
    session.commit()
    # The room in memory lacks the new history: its next catch-up drops it, a new one loads.
    assert read_text(protocol.id)[0] == "Hi former colleague\n"
    assert room.broken
    assert b"Mustermann" not in store.load_doc(protocol.id).doc.get_update()


def test_an_open_editor_resyncs_to_the_text_without_the_name(session, client) -> None:
    from tests.protocols.test_sync_inprocess import closed_code, connect, handshake
    from tests.protocols.yclient import YClient

    boss = make_user(session, admin=True, name="Anna Admin")
    erika = make_user(session, name=NAME, email="erika@example.com")
    host = make_user(session, name="Carl Colleague")
    space = make_space(session, host=host, members=(erika,))
    protocol = service.create_protocol(
        session, access=access_for(session, host, space), title="Weekly", text="# Minutes\n"
    )
    token = make_token(session, user=host)
    session.commit()
    editor = YClient()
    with connect(client, protocol.id, token) as ws:
        handshake(ws, editor)
        for message in editor.type(len(editor.text), f"Thanks {NAME}"):
            ws.send_bytes(message)
        deadline = time.monotonic() + 5
        while NAME not in read_text(protocol.id)[0] and time.monotonic() < deadline:
            time.sleep(0.05)
        erase_person(session, user=erika, content="keep", actor=boss)
        session.commit()
        room = registry.peek(protocol.id)
        deadline = time.monotonic() + 10
        while room is not None and not room.broken and time.monotonic() < deadline:
            time.sleep(0.05)
        assert room is not None and room.broken  # (else closed_code below would wait forever)
        assert closed_code(ws) == CLOSE_RESYNC  # the room noticed the new history
    # The editor reconnects with what it holds (the name included) and re-sends it.
    with connect(client, protocol.id, token) as ws:
        editor.synced = False
        handshake(ws, editor)
        for message in editor.take():
            ws.send_bytes(message)
    assert editor.value() == "# Minutes\nThanks former colleague"
    assert read_text(protocol.id)[0] == "# Minutes\nThanks former colleague"
    assert b"Mustermann" not in store.load_doc(protocol.id).doc.get_update()


def test_a_namesake_keeps_their_own_name(session) -> None:
    boss = make_user(session, admin=True, name="Anna Admin")
    erika = make_user(session, name=NAME, email="erika@example.com")
    namesake = make_user(session, name=NAME, email="erika.m@example.com")
    session.commit()
    erase_person(session, user=erika, content="keep", actor=boss)
    session.commit()
    session.expire_all()
    kept = session.get(User, namesake.id)
    assert kept is not None and kept.display_name == NAME
