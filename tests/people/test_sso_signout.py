"""Signing out of a single sign-on session signs out at the provider too (OpenID Connect
RP-Initiated Logout): Agora sends the browser to the provider's `end_session_endpoint` with the
session's ID token as `id_token_hint` and its `post_logout_redirect_uri`."""

from urllib.parse import parse_qs, urlsplit

from sqlmodel import select

from app.people.models import AuthSession, User
from app.people.oidc import forget_provider
from app.people.sealing import unseal
from tests.conftest import PASSWORD
from tests.factories import make_user
from tests.people.conftest import CALLBACK, SIGNED_OUT


def _sign_in(client, session, sso, sso_sign_in):  # type: ignore[no-untyped-def]
    sso.add_person("u-mia", email="mia@example.com", name="Mia Meyer")
    response, browser = sso_sign_in(client, "u-mia")
    assert response.status_code == 303
    return browser


def test_signing_out_ends_the_provider_session_too(client, session, sso, sso_sign_in) -> None:
    browser = _sign_in(client, session, sso, sso_sign_in)
    # The sign-out form is answered with a redirect to the provider: the pages allow it.
    policy = client.get("/settings").headers["content-security-policy"]
    assert f"form-action 'self' {sso.issuer};" in policy
    stored = session.exec(select(AuthSession)).one()
    hint = unseal(stored.oidc_id_token)
    assert hint and hint.count(".") == 2
    assert stored.oidc_id_token != hint  # sealed in the database

    out = client.form("/logout")
    assert out.status_code == 303
    target = out.headers["location"]
    assert target.startswith(f"{sso.issuer}/session/end?")
    query = parse_qs(urlsplit(target).query)
    assert query["id_token_hint"] == [hint]
    assert query["post_logout_redirect_uri"] == [SIGNED_OUT]
    assert query["client_id"] == ["agora"]
    assert session.exec(select(AuthSession)).first() is None  # Agora's session ended at once
    assert client.get("/settings", follow_redirects=False).status_code == 303

    # The real provider accepts the hint and, once confirmed, sends the browser back to us.
    confirmed = sso.end_session(browser, target)
    while confirmed.is_redirect and confirmed.headers["location"].startswith(sso.issuer):
        confirmed = browser.get(confirmed.headers["location"], allow_redirects=False)
    assert confirmed.headers["location"] == SIGNED_OUT

    # The provider session is over: signing in again asks for the login, not only consent.
    start = client.get("/auth/oidc/login", follow_redirects=False).headers["location"]
    interaction = browser.get(start, allow_redirects=True, timeout=10)
    assert 'name="prompt" value="login"' in interaction.text
    back = sso.sign_in(browser, start, subject="u-mia")
    assert back.startswith(CALLBACK)


def test_a_password_session_signs_out_here_only(login, session, sso) -> None:
    person = make_user(session, name="Pat Password")
    client = login(person, PASSWORD)
    out = client.form("/logout")
    assert (out.status_code, out.headers["location"]) == (303, "/login")
    assert session.exec(select(AuthSession).where(AuthSession.user_id == person.id)).first() is None


def test_an_unreachable_provider_still_signs_out_here(
    client, session, sso, sso_sign_in, monkeypatch
) -> None:
    _sign_in(client, session, sso, sso_sign_in)
    forget_provider()
    monkeypatch.setenv("AGORA_OIDC_ISSUER", "http://127.0.0.1:9")
    from app.core.config import get_settings

    get_settings.cache_clear()
    out = client.form("/logout")
    assert (out.status_code, out.headers["location"]) == (303, "/login")
    assert session.exec(select(AuthSession)).first() is None
    assert session.exec(select(User)).one().email == "mia@example.com"
