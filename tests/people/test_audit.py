"""The admins' audit log: who did what to whom, when, from which address; filters and pages."""

from sqlmodel import select

from app.people import audit
from app.people.models import AuditEntry
from app.people.service import record_audit
from tests.factories import make_user


def test_an_admin_action_is_shown_with_its_actor_target_and_address(session, login) -> None:
    boss, ben = make_user(session, admin=True, name="Anna Admin"), make_user(session, name="Ben")
    client = login(boss)
    client.form(f"/admin/people/{ben.id}/active", {"active": "false"})
    entry = session.exec(select(AuditEntry)).one()
    assert entry.address == "testclient"  # the TestClient's own address
    page = client.get("/admin/audit")
    assert page.status_code == 200
    row = page.text.split("<code>user.deactivate</code>")[0].rsplit("<tr>", 1)[1]
    assert "Anna Admin" in row
    after = page.text.split("<code>user.deactivate</code>")[1].split("</tr>")[0]
    assert "Ben" in after and "testclient" in after


def test_entries_filter_by_action_and_person(session, login) -> None:
    boss, ben, cleo = (make_user(session, admin=True), make_user(session), make_user(session))
    record_audit(session, actor=boss, action="user.leader", target_type="user", target_id=ben.id)
    record_audit(session, actor=None, action="sso.refused", target_type="user", target_id=None)
    record_audit(session, actor=cleo, action="space.update", target_type="space", target_id=1)
    session.commit()
    client = login(boss)
    only_sso = client.get("/admin/audit?action=sso.").text
    assert "sso.refused" in only_sso and "user.leader" not in only_sso
    assert "the system" in only_sso
    about_ben = client.get(f"/admin/audit?person={ben.email}").text
    assert "user.leader" in about_ben and "space.update" not in about_ben
    by_cleo = client.get(f"/admin/audit?person=@{cleo.handle}").text
    assert "space.update" in by_cleo and "user.leader" not in by_cleo
    fragment = client.htmx("GET", "/admin/audit?action=space.", target="audit-list")
    assert "space.update" in fragment.text and "<html" not in fragment.text


def test_pages_of_entries_with_a_constant_number_of_queries(session, login, count_queries):
    boss = make_user(session, admin=True)
    client = login(boss)
    client.get("/admin/audit")
    with count_queries() as few:
        client.get("/admin/audit")
    people = [make_user(session) for _ in range(3)]
    for n in range(audit.PAGE_SIZE + 3):
        record_audit(
            session,
            actor=people[n % 3],
            action="user.leader",
            target_type="user",
            target_id=people[(n + 1) % 3].id,
        )
    session.commit()
    with count_queries() as many:
        first = client.get("/admin/audit")
    assert len(many) == len(few)
    cursor = first.text.split("cursor=")[1].split('"')[0]
    second = client.get(f"/admin/audit?cursor={cursor}")
    assert first.text.count("<code>") + second.text.count("<code>") == audit.PAGE_SIZE + 3
    assert client.get("/admin/audit?cursor=nonsense").status_code == 422


def test_only_admins_read_the_audit_log(session, login) -> None:
    assert login(make_user(session)).get("/admin/audit").status_code == 403
