"""Single sign-on through a real OpenID provider: first sign-in, linking, refusals, groups,
back-channel logout."""

import requests
from sqlmodel import Session, select

from app.people.models import AuditEntry, AuthSession, SiteRole, User
from app.people.sealing import unseal
from app.people.service import create_user
from app.people.sso.models import OidcLink
from tests.conftest import PASSWORD


def _audit(session: Session, action: str) -> list[AuditEntry]:
    session.expire_all()
    return list(session.exec(select(AuditEntry).where(AuditEntry.action == action)).all())


def test_the_sign_in_page_offers_the_provider(client, sso) -> None:
    page = client.get("/login")
    assert "Sign in with Example Corp" in page.text
    assert 'name="password"' in page.text


def test_first_sign_in_creates_the_account_from_the_claims(client, session, sso, sso_sign_in):
    sso.add_person(
        "u-mia",
        email="Mia@Example.com",
        name="Mia Meyer",
        locale="de-DE",
        zoneinfo="Europe/Vienna",
        groups=["staff"],
    )
    response, _browser = sso_sign_in(client, "u-mia", next="/settings")
    assert response.status_code == 303, response.text
    assert response.headers["location"] == "/settings"
    assert client.get("/settings").status_code == 200
    mia = session.exec(select(User).where(User.email == "mia@example.com")).one()
    assert (mia.display_name, mia.locale, mia.time_zone) == ("Mia Meyer", "de", "Europe/Vienna")
    assert mia.password_hash is None and mia.last_sign_in_at is not None
    link = session.exec(select(OidcLink).where(OidcLink.user_id == mia.id)).one()
    assert (link.subject, link.groups) == ("u-mia", "staff")
    assert link.refresh_token and unseal(link.refresh_token)  # kept sealed
    assert _audit(session, "user.sso_provision")


def test_a_second_sign_in_finds_the_same_account(client, session, sso, sso_sign_in) -> None:
    sso.add_person("u-mia", email="mia@example.com", name="Mia")
    sso_sign_in(client, "u-mia")
    response, _browser = sso_sign_in(client, "u-mia")
    assert response.status_code == 303
    assert len(session.exec(select(User)).all()) == 1


def test_an_existing_account_with_a_verified_email_is_linked(
    client, session, sso, sso_sign_in
) -> None:
    existing = create_user(session, email="ben@example.com", display_name="Ben", password=PASSWORD)
    session.commit()
    sso.add_person("u-ben", email="ben@example.com", name="Benjamin", verified=True)
    response, _browser = sso_sign_in(client, "u-ben")
    assert response.status_code == 303
    link = session.exec(select(OidcLink)).one()
    assert link.user_id == existing.id
    assert _audit(session, "user.sso_link")


def test_an_unverified_email_never_takes_over_an_existing_account(
    client, session, sso, sso_sign_in
) -> None:
    create_user(session, email="ben@example.com", display_name="Ben", password=PASSWORD)
    session.commit()
    sso.add_person("u-mallory", email="ben@example.com", name="Mallory", verified=False)
    response, _browser = sso_sign_in(client, "u-mallory")
    assert response.status_code == 403
    assert "not confirmed" in response.text
    assert "agora_session" not in response.cookies
    assert session.exec(select(OidcLink)).first() is None
    assert "unverified_email" in _audit(session, "sso.refused")[0].detail


def test_a_deactivated_person_cannot_sign_in(client, session, sso, sso_sign_in) -> None:
    sso.add_person("u-mia", email="mia@example.com", name="Mia")
    sso_sign_in(client, "u-mia")
    mia = session.exec(select(User)).one()
    mia.is_active = False
    session.add(mia)
    session.commit()
    response, _browser = sso_sign_in(client, "u-mia")
    assert response.status_code == 403
    assert "deactivated" in response.text
    assert len(session.exec(select(AuthSession)).all()) == 1  # only the earlier one


def test_a_replayed_callback_is_refused(client, session, sso, sso_sign_in) -> None:
    sso.add_person("u-mia", email="mia@example.com", name="Mia")
    start = client.get("/auth/oidc/login", follow_redirects=False)
    with requests.Session() as browser:
        back = sso.sign_in(browser, start.headers["location"], subject="u-mia")
    path = back.removeprefix("http://testserver")
    assert client.get(path, follow_redirects=False).status_code == 303
    state = start.headers["location"].split("state=")[1].split("&")[0]
    client.cookies.set("agora_oidc_state", state, path="/auth/oidc")
    replay = client.get(path, follow_redirects=False)
    assert replay.status_code == 400
    assert "could not be completed" in replay.text
    assert "unknown_state" in _audit(session, "sso.refused")[0].detail


def test_a_callback_without_a_flow_is_refused(client, session, sso) -> None:
    response = client.get("/auth/oidc/callback?code=abc")
    assert response.status_code == 400
    assert "no_flow" in _audit(session, "sso.refused")[0].detail


def test_a_callback_in_another_browser_is_refused(client, app, session, sso) -> None:
    from tests.conftest import WebClient

    sso.add_person("u-mia", email="mia@example.com", name="Mia")
    start = client.get("/auth/oidc/login", follow_redirects=False)
    with requests.Session() as browser:
        back = sso.sign_in(browser, start.headers["location"], subject="u-mia")
    with WebClient(app, base_url="http://testserver") as other:
        response = other.get(back.removeprefix("http://testserver"), follow_redirects=False)
    assert response.status_code == 400
    assert "state_not_this_browser" in _audit(session, "sso.refused")[0].detail


def test_a_refusal_at_the_provider_shows_a_clear_page(client, session, sso) -> None:
    start = client.get("/auth/oidc/login", follow_redirects=False)
    state = start.headers["location"].split("state=")[1].split("&")[0]
    response = client.get(f"/auth/oidc/callback?state={state}&error=access_denied")
    assert response.status_code == 400
    assert "Sign-in refused" in response.text
    assert "access_denied" in _audit(session, "sso.refused")[0].detail


def test_groups_make_admins_at_every_sign_in(client, session, sso, sso_sign_in, monkeypatch):
    from tests.people.conftest import configure_sso

    configure_sso(monkeypatch, sso.issuer, AGORA_OIDC_ADMIN_GROUPS="it-admins, agora-admins")
    sso.add_person("u-mia", email="mia@example.com", name="Mia", groups=["staff"])
    sso_sign_in(client, "u-mia")
    mia = session.exec(select(User)).one()
    assert mia.site_role == SiteRole.member
    sso.set_groups("u-mia", ["staff", "agora-admins"])
    sso_sign_in(client, "u-mia")
    session.refresh(mia)
    assert mia.site_role == SiteRole.admin
    assert _audit(session, "user.admin_grant")
    sso.set_groups("u-mia", [])
    sso_sign_in(client, "u-mia")
    session.refresh(mia)
    assert mia.site_role == SiteRole.member
    assert session.exec(select(OidcLink.groups)).one() == ""
    assert _audit(session, "user.admin_revoke")


def test_the_provider_login_route_is_missing_without_a_provider(client) -> None:
    assert client.get("/auth/oidc/login", follow_redirects=False).status_code == 404
    assert client.get("/auth/oidc/callback").status_code == 404
    assert "Sign in with" not in client.get("/login").text


def test_a_deactivated_account_is_not_linked_either(client, session, sso, sso_sign_in) -> None:
    ben = create_user(session, email="ben@example.com", display_name="Ben", password=PASSWORD)
    ben.is_active = False
    session.add(ben)
    session.commit()
    sso.add_person("u-ben", email="ben@example.com", name="Ben")
    response, _browser = sso_sign_in(client, "u-ben")
    assert response.status_code == 403
    assert session.exec(select(OidcLink)).first() is None
    assert _audit(session, "user.sso_link") == []


def test_an_answer_naming_another_issuer_is_refused(client, session, sso) -> None:
    start = client.get("/auth/oidc/login", follow_redirects=False)
    state = start.headers["location"].split("state=")[1].split("&")[0]
    response = client.get(
        f"/auth/oidc/callback?state={state}&code=abc&iss=https://evil.example.com"
    )
    assert response.status_code == 400
    assert "wrong_issuer" in _audit(session, "sso.refused")[0].detail
