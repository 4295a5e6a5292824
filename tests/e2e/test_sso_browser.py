"""Single sign-on in a real browser: Agora's sign-in page, the provider's login and consent
pages, back in Agora signed in; then signing out at the provider ends the Agora session too
(back-channel logout)."""

import os
import shutil
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect
from sqlmodel import Session, select

from app.core.db import make_engine
from app.people.models import User
from app.people.service import create_user
from app.people.sso.models import OidcLink
from tests.conftest import TEST_DATABASE_URL
from tests.e2e.conftest import (
    DESKTOP,
    _agora,
    _e2e_database_name,
    _free_port,
    _fresh_database,
    _on_postgresql,
    serve,
    stop_server,
)
from tests.e2e.pages import BasePage, LoginPage
from tests.oidc.provider import CLIENT_ID, CLIENT_SECRET, Provider, running_provider

pytestmark = pytest.mark.browser


@dataclass
class SsoServer:
    url: str
    database_url: str
    provider: Provider


@pytest.fixture(scope="module")
def sso_server() -> Iterator[SsoServer]:
    folder = Path(tempfile.mkdtemp(prefix="agora-e2e-sso-"))
    database_url = _fresh_database(folder, "e2e_sso")
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    with running_provider(
        redirect_uris=[f"{url}/auth/oidc/callback"],
        backchannel_logout_uri=f"{url}/auth/oidc/backchannel-logout",
        post_logout_redirect_uris=[f"{url}/login"],
    ) as provider:
        env = {
            **os.environ,
            "AGORA_DATABASE_URL": database_url,
            "AGORA_BASE_URL": url,
            "AGORA_ENV": "test",
            "AGORA_SEED_DEMO": "0",
            "AGORA_OIDC_ISSUER": provider.issuer,
            "AGORA_OIDC_CLIENT_ID": CLIENT_ID,
            "AGORA_OIDC_CLIENT_SECRET": CLIENT_SECRET,
            "AGORA_OIDC_NAME": "Example Corp",
            "AGORA_PASSWORD_LOGIN": "false",
        }
        _agora(env, "migrate")
        process = serve(env, port, folder / "server.log")
        try:
            yield SsoServer(url=url, database_url=database_url, provider=provider)
        finally:
            stop_server(process)
            if TEST_DATABASE_URL.startswith("postgresql"):
                name = _e2e_database_name("e2e_sso")
                _on_postgresql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture
def sso_page(browser: Browser, sso_server: SsoServer) -> Iterator[Page]:
    context = browser.new_context(base_url=sso_server.url, locale="en-GB", viewport=DESKTOP)
    # Two servers (Agora and the provider) answer each step: more room on a busy machine.
    context.set_default_timeout(20_000)
    yield context.new_page()
    context.close()


class ProviderPages:
    """The test provider's own pages (not Agora's: no accessibility check here)."""

    def __init__(self, page: Page) -> None:
        self.page = page

    def sign_in(self, login: str) -> None:
        self.page.locator("input[name=login]").fill(login)
        self.page.locator("input[name=password]").fill("any password")
        self.page.get_by_role("button", name="Sign-in").click()

    def consent(self) -> None:
        self.page.get_by_role("button", name="Continue").click()

    def sign_out(self, issuer: str) -> None:
        self.page.goto(f"{issuer}/session/end")
        self.page.get_by_role("button", name="Yes, sign me out").click()
        self.page.wait_for_load_state()


def test_signing_in_with_the_company_account_and_out_at_the_provider(
    sso_page: Page, sso_server: SsoServer
) -> None:
    provider = sso_server.provider
    provider.add_person("e2e-mia", email="mia@example.com", name="Mia Meyer")

    sso_page.goto("/spaces")
    login = LoginPage(sso_page).arrived()
    expect(sso_page.get_by_label("Password")).to_have_count(0)  # passwords are switched off
    login.screenshot("desktop-login-sso")
    sso_page.get_by_role("link", name="Sign in with Example Corp").click()

    at_provider = ProviderPages(sso_page)
    at_provider.sign_in("e2e-mia")
    at_provider.consent()

    # Waits with the context's timeout (expect's own is shorter): Agora asks the provider twice.
    sso_page.wait_for_url(f"{sso_server.url}/spaces")
    BasePage(sso_page).arrived()
    expect(sso_page.locator(".nav-me")).to_have_text("Mia Meyer")
    engine = make_engine(sso_server.database_url)
    with Session(engine) as session:
        mia = session.exec(select(User).where(User.email == "mia@example.com")).one()
        assert session.exec(select(OidcLink.subject).where(OidcLink.user_id == mia.id)).one() == (
            "e2e-mia"
        )
    engine.dispose()

    at_provider.sign_out(provider.issuer)
    sso_page.goto("/")
    LoginPage(sso_page).arrived()
    expect(sso_page.get_by_role("link", name="Sign in with Example Corp")).to_be_visible()


def test_an_unconfirmed_email_of_an_existing_account_is_refused_clearly(
    sso_page: Page, sso_server: SsoServer
) -> None:
    engine = make_engine(sso_server.database_url)
    with Session(engine) as session:
        create_user(session, email="ben@example.com", display_name="Ben Builder")
        session.commit()
    engine.dispose()
    sso_server.provider.add_person(
        "e2e-mallory", email="ben@example.com", name="Mallory", verified=False
    )

    sso_page.goto("/login")
    LoginPage(sso_page).arrived()
    sso_page.get_by_role("link", name="Sign in with Example Corp").click()
    at_provider = ProviderPages(sso_page)
    at_provider.sign_in("e2e-mallory")
    at_provider.consent()

    sso_page.wait_for_url("**/auth/oidc/callback?*")
    refused = BasePage(sso_page).arrived()
    expect(refused.heading).to_have_text("Sign-in refused")
    expect(sso_page.get_by_role("alert")).to_contain_text("not confirmed")
    sso_page.get_by_role("link", name="Back to the sign-in page").click()
    LoginPage(sso_page).arrived()


def test_signing_out_in_agora_signs_out_at_the_provider_too(
    sso_page: Page, sso_server: SsoServer
) -> None:
    provider = sso_server.provider
    provider.add_person("e2e-noah", email="noah@example.com", name="Noah Neumann")
    sso_page.goto("/login")
    sso_page.get_by_role("link", name="Sign in with Example Corp").click()
    at_provider = ProviderPages(sso_page)
    at_provider.sign_in("e2e-noah")
    at_provider.consent()
    # A first sign-in may open the welcome page: anywhere in Agora will do.
    sso_page.wait_for_url(lambda url: url.startswith(sso_server.url))
    expect(sso_page.locator(".nav-me")).to_have_text("Noah Neumann")

    sso_page.locator(".nav-me").click()
    sso_page.get_by_role("button", name="Sign out").click()
    # The provider asks, as its own page, whether to end its session too.
    sso_page.wait_for_url(f"{provider.issuer}/**")
    sso_page.get_by_role("button", name="Yes, sign me out").click()
    sso_page.wait_for_url(f"{sso_server.url}/login")
    LoginPage(sso_page).arrived()

    # Signing in again asks the provider for the password again: its session ended too.
    sso_page.get_by_role("link", name="Sign in with Example Corp").click()
    expect(sso_page.locator("input[name=login]")).to_be_visible()
