"""Signing in, in a real browser."""

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import ANNA
from tests.e2e.pages import HomePage, LoginPage

pytestmark = pytest.mark.browser


def test_a_wrong_password_shows_the_error_and_the_right_one_leads_on(page):
    page.goto("/spaces")
    login = LoginPage(page).arrived()
    expect(login.heading).to_have_text("Sign in to Agora")
    login.screenshot("desktop-login")

    login.sign_in(ANNA.email, "not-the-password")

    login.arrived()
    expect(login.error).to_have_text("Email or password is not right.")
    expect(page.get_by_label("Email")).to_have_value(ANNA.email)
    login.screenshot("desktop-login-error")

    login.sign_in(ANNA.email, ANNA.password)

    expect(page).to_have_url("/spaces")
    expect(page.locator(".nav-me")).to_have_text(ANNA.name)


def test_signing_in_lands_on_the_home_stream(page):
    LoginPage(page).open().sign_in(ANNA.email, ANNA.password)

    home = HomePage(page).arrived()
    expect(home.heading).to_have_text("What's happening")
    expect(page.get_by_role("link", name="Home")).to_have_attribute("aria-current", "page")
