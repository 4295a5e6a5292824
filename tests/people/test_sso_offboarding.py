"""Offboarding: the provider's back-channel logout ends sessions, the recheck ends the sessions
and API tokens of people the provider disabled, and password sign-in can be switched off."""

from datetime import timedelta

from sqlmodel import select

from app.core.db import utcnow
from app.people.models import ApiToken, AuditEntry, AuthSession, User
from app.people.service import create_api_token, create_user
from app.people.sso.models import OidcLink
from app.people.sso.service import recheck_sso_people
from tests.conftest import PASSWORD
from tests.people.conftest import configure_sso


def _signed_in_person(client, session, sso, sso_sign_in, subject="u-mia"):  # type: ignore[no-untyped-def]
    sso.add_person(subject, email=f"{subject}@example.com", name="Mia")
    response, browser = sso_sign_in(client, subject)
    assert response.status_code == 303
    assert client.get("/settings").status_code == 200
    return session.exec(select(User).where(User.email == f"{subject}@example.com")).one(), browser


def test_back_channel_logout_ends_the_session(
    client, session, sso, sso_sign_in, logout_inbox
) -> None:
    _mia, browser = _signed_in_person(client, session, sso, sso_sign_in)
    sso.end_session(browser)
    token = logout_inbox.wait()
    answer = client.post("/auth/oidc/backchannel-logout", data={"logout_token": token})
    assert answer.status_code == 200
    assert answer.headers["cache-control"] == "no-store"
    assert session.exec(select(AuthSession)).first() is None
    assert client.get("/settings", follow_redirects=False).status_code == 303
    assert session.exec(select(AuditEntry).where(AuditEntry.action == "user.sso_logout")).one()


def test_back_channel_logout_ends_only_that_provider_session(
    client, app, session, sso, sso_sign_in, logout_inbox
) -> None:
    from tests.conftest import WebClient

    _mia, browser = _signed_in_person(client, session, sso, sso_sign_in)
    with WebClient(app, base_url="http://testserver") as laptop:
        sso_sign_in(laptop, "u-mia")  # another browser, another provider session
        sso.end_session(browser)
        token = logout_inbox.wait()
        client.post("/auth/oidc/backchannel-logout", data={"logout_token": token})
        assert client.get("/settings", follow_redirects=False).status_code == 303
        assert laptop.get("/settings", follow_redirects=False).status_code == 200


def test_a_forged_logout_token_is_refused(client, session, sso, sso_sign_in) -> None:
    _signed_in_person(client, session, sso, sso_sign_in)
    answer = client.post("/auth/oidc/backchannel-logout", data={"logout_token": "a.b.c"})
    assert answer.status_code == 400
    assert answer.json()["error"] == "invalid_request"
    assert session.exec(select(AuthSession)).first() is not None
    assert session.exec(select(AuditEntry).where(AuditEntry.action == "sso.logout_refused")).one()


def _due(session, user) -> OidcLink:  # type: ignore[no-untyped-def]
    link = session.exec(select(OidcLink).where(OidcLink.user_id == user.id)).one()
    link.checked_at = utcnow() - timedelta(hours=1)
    session.add(link)
    session.commit()
    return link


def test_the_recheck_ends_sessions_and_tokens_of_a_disabled_person(
    client, session, sso, sso_sign_in
) -> None:
    mia, _browser = _signed_in_person(client, session, sso, sso_sign_in)
    token = create_api_token(session, user=mia, name="laptop")
    session.commit()
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}).is_success
    _due(session, mia)
    sso.disable("u-mia")
    assert recheck_sso_people(session) == 1
    session.commit()
    assert session.exec(select(AuthSession)).first() is None
    assert session.exec(select(ApiToken.revoked_at)).one() is not None
    assert client.get("/settings", follow_redirects=False).status_code == 303
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}).status_code == 401
    assert session.exec(select(OidcLink.refresh_token)).one() is None
    assert session.exec(select(AuditEntry).where(AuditEntry.action == "user.sso_offboard")).one()


def test_the_recheck_keeps_people_the_provider_still_knows(
    client, session, sso, sso_sign_in
) -> None:
    mia, _browser = _signed_in_person(client, session, sso, sso_sign_in)
    before = _due(session, mia).checked_at
    assert recheck_sso_people(session) == 0
    session.commit()
    assert client.get("/settings").status_code == 200
    session.expire_all()
    assert session.exec(select(OidcLink.checked_at)).one() > before


def test_the_recheck_waits_for_its_interval(client, session, sso, sso_sign_in) -> None:
    _signed_in_person(client, session, sso, sso_sign_in)
    sso.disable("u-mia")
    assert recheck_sso_people(session) == 0  # checked at sign-in, a minute ago at most
    assert session.exec(select(AuthSession)).first() is not None


def test_password_sign_in_can_be_switched_off(client, session, sso, monkeypatch) -> None:
    create_user(session, email="ben@example.com", display_name="Ben", password=PASSWORD)
    session.commit()
    configure_sso(monkeypatch, sso.issuer, AGORA_PASSWORD_LOGIN="false")
    page = client.get("/login")
    assert 'name="password"' not in page.text
    assert "Sign in with Example Corp" in page.text
    refused = client.form("/login", {"email": "ben@example.com", "password": PASSWORD})
    assert refused.status_code == 403
    assert "switched off" in refused.text
    assert "agora_session" not in refused.cookies


def test_the_jobs_runner_runs_the_recheck(client, session, sso, sso_sign_in) -> None:
    from app.jobs import run_jobs_once

    mia, _browser = _signed_in_person(client, session, sso, sso_sign_in)
    _due(session, mia)
    sso.disable("u-mia")
    assert run_jobs_once(["recheck_sso_people"]) == {"recheck_sso_people": 1}
    assert client.get("/settings", follow_redirects=False).status_code == 303


def test_an_unreachable_provider_decides_nothing(
    client, session, sso, sso_sign_in, monkeypatch
) -> None:
    mia, _browser = _signed_in_person(client, session, sso, sso_sign_in)
    link = _due(session, mia)
    before = link.checked_at
    link.issuer = "http://127.0.0.1:9"  # the provider moved to where nothing listens
    session.add(link)
    session.commit()
    configure_sso(monkeypatch, link.issuer)
    assert recheck_sso_people(session) == 0
    session.expire_all()
    assert session.exec(select(OidcLink.checked_at)).one() == before
    assert session.exec(select(AuthSession)).first() is not None


def test_a_refresh_token_sealed_under_an_old_key_is_forgotten(
    client, session, sso, sso_sign_in
) -> None:
    mia, _browser = _signed_in_person(client, session, sso, sso_sign_in)
    link = _due(session, mia)
    link.refresh_token = "sealed-under-another-key"
    session.add(link)
    session.commit()
    assert recheck_sso_people(session) == 0
    session.expire_all()
    assert session.exec(select(OidcLink.refresh_token)).one() is None
    assert session.exec(select(AuthSession)).first() is not None
