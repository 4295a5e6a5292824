"""Sign-in, sessions, CSRF, security headers, invitations and admin pages over HTTP."""

from sqlmodel import select

from app.core.security import CSRF_COOKIE, SESSION_COOKIE
from app.people.models import AuthSession, User
from tests.conftest import PASSWORD
from tests.factories import make_user


def test_pages_need_sign_in_and_redirect_back(client):
    response = client.get("/spaces?x=1", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/login?next=/spaces?x=1"


def test_htmx_requests_without_session_get_a_redirect_header(client):
    response = client.get("/", headers={"HX-Request": "true"})
    assert response.status_code == 401
    assert response.headers["HX-Redirect"].startswith("/login")


def test_sign_in_sets_a_safe_session_cookie_and_rotates_it(session, client):
    user = make_user(session)
    client.refresh_csrf()
    first = client.form("/login", {"email": user.email, "password": PASSWORD, "next": "/spaces"})
    assert first.status_code == 303 and first.headers["location"] == "/spaces"
    cookie_header = first.headers["set-cookie"]
    assert "HttpOnly" in cookie_header and "SameSite=lax" in cookie_header.replace("Lax", "lax")
    old = client.cookies.get(SESSION_COOKIE)

    client.form("/login", {"email": user.email, "password": PASSWORD})
    new = client.cookies.get(SESSION_COOKIE)

    assert old and new and old != new
    assert len(session.exec(select(AuthSession)).all()) == 1  # the old session ended


def test_sign_in_refuses_open_redirects(session, client):
    user = make_user(session)
    response = client.form(
        "/login", {"email": user.email, "password": PASSWORD, "next": "//evil.example"}
    )
    assert response.headers["location"] == "/"


def test_wrong_password_is_a_400_with_a_message(session, client):
    user = make_user(session)
    response = client.form("/login", {"email": user.email, "password": "wrong-password"})
    assert response.status_code == 400
    assert "Email or password is not right" in response.text


def test_repeated_failures_answer_429(session, client):
    user = make_user(session)
    for _ in range(5):
        client.form("/login", {"email": user.email, "password": "wrong-password"})
    response = client.form("/login", {"email": user.email, "password": PASSWORD})
    assert response.status_code == 429
    assert "Too many failed sign-ins" in response.text


def test_post_without_csrf_token_is_refused(session, login):
    user = make_user(session)
    client = login(user)
    response = client.post("/spaces", data={"name": "No token"})
    assert response.status_code == 403
    assert "form has expired" in response.text
    response = client.post("/spaces", data={"name": "Wrong", "csrf_token": "x" * 43})
    assert response.status_code == 403


def test_htmx_requests_may_send_the_token_as_a_header(session, login):
    user = make_user(session)
    client = login(user)
    response = client.htmx("POST", "/spaces", data={"name": "Via header"}, follow_redirects=False)
    assert response.status_code == 303


def test_security_headers_are_on_every_page(client):
    response = client.get("/login")
    csp = response.headers["content-security-policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert response.headers["x-frame-options"] == "DENY"
    assert response.headers["x-content-type-options"] == "nosniff"
    assert CSRF_COOKIE in response.headers["set-cookie"]


def test_sign_out_ends_the_session(session, login):
    user = make_user(session)
    client = login(user)
    client.form("/logout")
    assert client.get("/", follow_redirects=False).status_code == 303
    assert session.exec(select(AuthSession)).all() == []


def test_deactivated_person_is_signed_out_at_once(session, login):
    admin, user = make_user(session, admin=True), make_user(session)
    user_client, admin_client = login(user), login(admin)
    assert user_client.get("/").status_code == 200

    response = admin_client.form(f"/admin/people/{user.id}/active", {"active": "false"})

    assert response.status_code == 303
    assert user_client.get("/", follow_redirects=False).status_code == 303


def test_admin_invites_and_the_link_sets_a_password(session, login, client):
    admin = make_user(session, admin=True)
    admin_client = login(admin)
    page = admin_client.form(
        "/admin/people/invite", {"email": "fresh@example.com", "display_name": "Fresh"}
    )
    assert page.status_code == 200
    link = page.text.split('value="http://testserver')[1].split('"')[0]
    assert link.startswith("/invite/")

    assert "Welcome, Fresh" in client.get(link).text
    too_short = client.form(link, {"password": "short"})
    assert too_short.status_code == 422
    done = client.form(link, {"password": "a-long-enough-password"})
    assert done.status_code == 303
    assert client.get("/").status_code == 200
    assert client.get(link).status_code == 404


def test_invite_with_bad_email_shows_the_field_error(session, login):
    admin = make_user(session, admin=True)
    response = login(admin).form("/admin/people/invite", {"email": "nope", "display_name": "X"})
    assert response.status_code == 422
    assert "Enter a valid email address" in response.text
    assert 'value="nope"' in response.text and 'value="X"' in response.text
    assert session.exec(select(User).where(User.display_name == "X")).all() == []


def test_members_cannot_open_admin_pages(session, login):
    member = make_user(session)
    client = login(member)
    assert client.get("/admin/people").status_code == 403
    assert (
        client.form("/admin/people/invite", {"email": "a@b.cd", "display_name": "A"}).status_code
        == 403
    )


def test_profile_settings_save_and_show_errors(session, login):
    user = make_user(session)
    client = login(user)
    bad = client.form(
        "/settings",
        {"display_name": "", "department": "Kept Dept", "locale": "en", "time_zone": "UTC"},
    )
    assert bad.status_code == 422 and "This field is required" in bad.text
    # The typed values come back in the form, and nothing was saved.
    assert 'value="Kept Dept"' in bad.text
    session.refresh(user)
    assert user.department != "Kept Dept"
    good = client.form(
        "/settings",
        {
            "display_name": "Renamed",
            "title": "Boss",
            "department": "Ops",
            "locale": "de",
            "time_zone": "Europe/Vienna",
        },
    )
    assert good.status_code == 303
    page = client.get("/settings")
    assert 'value="Renamed"' in page.text
    assert 'lang="de"' in page.text


def test_names_are_escaped_everywhere(session, login):
    user = make_user(session, name='<script>alert("x")</script>')
    page = login(user).get(f"/people/{user.id}")
    assert "<script>alert" not in page.text
    assert "&lt;script&gt;" in page.text


def test_profile_by_handle_redirects(session, login):
    user = make_user(session)
    response = login(user).get(f"/people/@{user.handle}", follow_redirects=False)
    assert response.headers["location"] == f"/people/{user.id}"
    client = login(user)
    assert client.get(f"/people/@{user.handle.upper()}", follow_redirects=False).status_code == 303
    # A NUL byte names no one (PostgreSQL refused it in a query: the answer was a 500).
    assert client.get(f"/people/@{user.handle}%00").status_code == 404
    assert client.get("/people/@nobody-here").status_code == 404


def test_healthz_checks_the_database(client):
    assert client.get("/healthz").json() == {"status": "ok"}


def test_rendered_forms_carry_the_csrf_token_a_browser_would_send(session, client):
    user = make_user(session)
    page = client.get("/login")
    token = page.text.split('name="csrf_token" value="')[1].split('"')[0]
    assert token == client.cookies.get(CSRF_COOKIE)
    response = client.post(
        "/login",
        data={"csrf_token": token, "email": user.email, "password": PASSWORD},
        follow_redirects=False,
    )
    assert response.status_code == 303
    home = client.get("/")
    tokens = set(home.text.split('name="csrf_token" value="')[1:])
    assert all(t.split('"')[0] == token for t in tokens)
