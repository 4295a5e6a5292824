"""The admins' people page: search, pages, sign-in method, last sign-in, the admin role."""

from sqlmodel import select

from app.people.admin import service as admin
from app.people.models import AuditEntry, SiteRole, User
from app.people.service import create_user
from app.people.sso.models import OidcLink
from tests.factories import make_user


def test_the_list_shows_how_each_person_signs_in(session, login) -> None:
    boss = make_user(session, admin=True, name="Anna Admin")
    sso_person = make_user(session, name="Sam Single")
    session.add(OidcLink(user_id=sso_person.id, issuer="https://id.example.com", subject="s"))
    create_user(session, email="ivy@example.com", display_name="Ivy Invited")
    session.commit()
    page = login(boss).get("/admin/people")
    assert page.status_code == 200
    rows = {row.split("</tr>")[0] for row in page.text.split("<tr>")[2:]}
    assert any("Sam Single" in r and "Company account" in r for r in rows)
    assert any("Ivy Invited" in r and "Invitation not accepted yet" in r for r in rows)
    assert any("Anna Admin" in r and "Password" in r and "never" not in r for r in rows)


def test_search_finds_by_name_email_and_handle_and_answers_htmx_with_the_list(session, login):
    boss = make_user(session, admin=True, name="Anna Admin")
    make_user(session, name="Zoe Zander", email="zoe@example.com")
    make_user(session, name="Oskar 100%", email="oskar@example.com")
    session.commit()
    client = login(boss)
    assert "Zoe Zander" in client.get("/admin/people?q=zand").text
    assert "Zoe Zander" not in client.get("/admin/people?q=anna").text
    assert "Zoe Zander" in client.get("/admin/people?q=ZOE@EXAMPLE").text
    percent = client.get("/admin/people?q=100%25").text
    assert "Oskar 100%" in percent and "Zoe Zander" not in percent
    fragment = client.htmx("GET", "/admin/people?q=zoe", target="people-list")
    assert fragment.status_code == 200
    assert "Zoe Zander" in fragment.text
    assert "<html" not in fragment.text and "Invite someone" not in fragment.text
    assert client.get("/admin/people?q=" + "x" * 101).status_code == 422


def test_pages_follow_each_other_with_a_constant_number_of_queries(
    session, login, count_queries
) -> None:
    boss = make_user(session, admin=True)
    client = login(boss)
    client.get("/admin/people")
    with count_queries() as few:
        client.get("/admin/people")
    for n in range(admin.PAGE_SIZE + 5):
        make_user(session, name=f"Person {n:03d}", email=f"p{n}@example.com")
    session.commit()
    with count_queries() as many:
        first = client.get("/admin/people")
    assert len(many) == len(few)
    assert "More people" in first.text
    cursor = first.text.split("cursor=")[1].split('"')[0]
    second = client.get(f"/admin/people?cursor={cursor}")
    shown_first = first.text.count("/active")
    shown_second = second.text.count("/active")
    assert shown_first + shown_second == admin.PAGE_SIZE + 5  # everyone but the admin
    assert "More people" not in second.text
    assert client.get("/admin/people?cursor=garbage").status_code == 422


def test_an_admin_makes_and_unmakes_admins_and_it_is_audited(session, login) -> None:
    boss, ben = make_user(session, admin=True), make_user(session)
    client = login(boss)
    assert client.form(f"/admin/people/{ben.id}/admin", {"make_admin": "true"}).status_code == 303
    session.refresh(ben)
    assert ben.site_role == SiteRole.admin
    assert client.form(f"/admin/people/{ben.id}/admin", {"make_admin": "false"}).status_code == 303
    session.refresh(ben)
    assert ben.site_role == SiteRole.member
    actions = session.exec(select(AuditEntry.action).order_by(AuditEntry.id)).all()
    assert actions == ["user.admin_grant", "user.admin_revoke"]


def test_an_admin_cannot_drop_their_own_admin_role(session, login) -> None:
    boss = make_user(session, admin=True)
    response = login(boss).form(f"/admin/people/{boss.id}/admin", {"make_admin": "false"})
    assert response.status_code == 422
    session.refresh(boss)
    assert boss.is_admin


def test_members_cannot_change_roles(session, login) -> None:
    member, other = make_user(session), make_user(session)
    client = login(member)
    assert client.form(f"/admin/people/{other.id}/admin", {"make_admin": "true"}).status_code == 403
    assert session.get(User, other.id).site_role == SiteRole.member  # type: ignore[union-attr]
