"""Form/API saves (three-way merge), revisions, restore, action items."""

from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlmodel import Session, select

from app.core.db import get_engine
from app.core.errors import Forbidden, NotFound
from app.notifications.models import Notification
from app.people.models import AuditEntry
from app.protocols import editing, service
from app.protocols.models import ActionItem, ProtocolRevision
from app.protocols.queries import my_action_items
from tests.factories import make_space, make_user


def _save(user, protocol_id, base, text):
    with Session(get_engine(), expire_on_commit=False) as s:
        result = editing.save_text(
            s, user=user, protocol_id=protocol_id, base_version=base, text=text
        )
        s.commit()
        return result


def test_save_from_an_old_version_merges_with_what_changed_meanwhile(session, make_protocol):
    host = make_user(session)
    space = make_space(session, host=host)
    p = make_protocol(host, space, text="a\nb\nc\n")
    first = _save(host, p.id, 1, "A\nb\nc\n")
    second = _save(host, p.id, 1, "a\nb\nC\n")
    assert not first.merged
    assert second.merged
    assert not second.conflict
    assert second.text == "A\nb\nC\n"
    assert service.derived_text(p.id)[0] == "A\nb\nC\n"


def test_real_conflict_keeps_the_submitted_text_and_leaves_the_document(session, make_protocol):
    host = make_user(session)
    space = make_space(session, host=host)
    p = make_protocol(host, space, text="a\nb\n")
    _save(host, p.id, 1, "a\nX\n")
    clash = _save(host, p.id, 1, "a\nY\n")
    assert clash.conflict
    assert service.derived_text(p.id)[0] == "a\nX\n"
    kept = session.exec(
        select(ProtocolRevision).where(ProtocolRevision.id == clash.revision.id)
    ).one()
    assert kept.submitted_text == "a\nY\n"
    assert kept.state == "conflict"


def test_fifty_concurrent_saves_from_one_base_give_fifty_revisions_and_lose_nothing(
    session, make_protocol
):
    host = make_user(session)
    space = make_space(session, host=host)
    base = "".join(f"line {i}\n\n" for i in range(50))
    p = make_protocol(host, space, text=base)

    def edit(i):
        return _save(host, p.id, 1, base.replace(f"line {i}\n", f"line {i} edited by {i}\n"))

    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(edit, range(50)))

    assert not any(r.conflict for r in results)
    forms = session.exec(
        select(ProtocolRevision).where(
            ProtocolRevision.protocol_id == p.id, ProtocolRevision.kind == "form"
        )
    ).all()
    assert len(forms) == 50
    assert len({r.number for r in forms}) == 50
    final = service.derived_text(p.id)[0]
    for i in range(50):
        assert f"line {i} edited by {i}\n" in final


def test_concurrent_appends_at_the_same_place_keep_both(session, make_protocol):
    host = make_user(session)
    space = make_space(session, host=host)
    p = make_protocol(host, space, text="# Notes\n")
    _save(host, p.id, 1, "# Notes\nfirst\n")
    second = _save(host, p.id, 1, "# Notes\nsecond\n")
    assert not second.conflict
    assert service.derived_text(p.id)[0] == "# Notes\nfirst\nsecond\n"


def test_restore_makes_a_new_revision_with_the_old_text(session, make_protocol):
    host = make_user(session)
    space = make_space(session, host=host)
    p = make_protocol(host, space, text="one\n")
    _save(host, p.id, 1, "two\n")
    restored = editing.restore(session, user=host, protocol_id=p.id, number=1)
    session.commit()
    assert restored.kind == "restore"
    assert restored.text == "one\n"
    assert service.derived_text(p.id)[0] == "one\n"
    numbers = [r.number for r in editing.list_revisions(session, user=host, protocol_id=p.id)]
    assert numbers == [3, 2, 1]


def test_action_items_notify_assignees_and_ticking_edits_the_text(session, make_protocol):
    host, anna = make_user(session), make_user(session)
    space = make_space(session, host=host, members=(anna,))
    text = f"# Action items\n- [ ] @{anna.handle} Prepare the budget (due 2026-12-15)\n"
    p = make_protocol(host, space, text=text)
    rows = my_action_items(session, user=anna)
    assert [(i.text, i.due.isoformat()) for i, _p, _s in rows] == [
        (f"@{anna.handle} Prepare the budget (due 2026-12-15)", "2026-12-15")
    ]
    assert session.exec(select(Notification).where(Notification.user_id == anna.id)).all()

    editing.set_action_item_done(session, user=anna, item_id=rows[0][0].id, done=True)
    session.commit()

    assert "- [x] @" in service.derived_text(p.id)[0]
    assert my_action_items(session, user=anna) == []
    assert len(my_action_items(session, user=anna, done=True)) == 1


def test_action_item_notifications_are_worded_in_the_readers_language(
    session, make_protocol, login
):
    german, english = make_user(session, locale="de"), make_user(session, locale="en")
    host = make_user(session)
    space = make_space(session, host=host, members=(german, english))
    make_protocol(
        host,
        space,
        title="Weekly",
        text=f"- [ ] @{german.handle} Book the room\n- [ ] @{english.handle} Bring cake\n",
    )

    stored = session.exec(select(Notification.text).where(Notification.user_id == german.id)).one()
    assert stored == f"Action item for you in “Weekly”: @{german.handle} Book the room"
    german_page = login(german).get("/notifications").text
    assert f"Aufgabe für dich in „Weekly“: @{german.handle} Book the room" in german_page
    english_page = login(english).get("/notifications").text
    assert f"Action item for you in “Weekly”: @{english.handle} Bring cake" in english_page


def test_assignee_who_cannot_read_the_space_is_not_told(session, make_protocol):
    host, outsider = make_user(session), make_user(session)
    space = make_space(session, host=host, visibility="private")
    make_protocol(host, space, text=f"- [ ] @{outsider.handle} secret task\n")
    assert session.exec(select(Notification).where(Notification.user_id == outsider.id)).all() == []
    assert my_action_items(session, user=outsider) == []
    item = session.exec(select(ActionItem)).one()
    with pytest.raises(NotFound):
        editing.set_action_item_done(session, user=outsider, item_id=item.id, done=True)


def test_locked_protocol_refuses_edits_and_unlock_is_audited(session, make_protocol):
    host, member = make_user(session), make_user(session)
    space = make_space(session, host=host, members=(member,))
    p = make_protocol(host, space)
    with pytest.raises(Forbidden):
        service.set_locked(session, user=member, protocol_id=p.id, locked=True)
    service.set_locked(session, user=host, protocol_id=p.id, locked=True)
    session.commit()
    with pytest.raises(Forbidden):
        _save(member, p.id, 1, "changed\n")
    service.set_locked(session, user=host, protocol_id=p.id, locked=False)
    session.commit()
    audit = session.exec(select(AuditEntry).where(AuditEntry.action == "protocol.unlock")).all()
    assert len(audit) == 1


def test_reader_who_is_not_a_member_cannot_save(session, make_protocol):
    host, reader = make_user(session), make_user(session)
    space = make_space(session, host=host)
    p = make_protocol(host, space)
    with pytest.raises(Forbidden):
        _save(reader, p.id, 1, "x\n")
