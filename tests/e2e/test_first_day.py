"""A newcomer's first day, in Chromium: invited, welcomed, joining spaces; and German."""

import pytest
from playwright.sync_api import expect

from app.events.rsvp import set_rsvp
from app.events.service import create_event
from app.people.service import create_user, user_by_email
from app.spaces.access import space_access_by_slug
from tests.e2e.conftest import ANNA, PASSWORD
from tests.e2e.first_day_pages import (
    AdminPeoplePage,
    AdminSpacesPage,
    InvitationPage,
    SettingsPage,
    WelcomePage,
)
from tests.e2e.pages import BasePage, LoginPage, has_horizontal_scroll
from tests.events.factories import event_input

pytestmark = pytest.mark.browser

NORA_EMAIL = "nora.newcomer@example.com"


def test_an_invited_newcomer_lands_in_the_welcome_page_and_joins_spaces(
    signed_in, new_context, server
):
    admin = signed_in(ANNA)
    AdminSpacesPage(admin).open().everyone_joins("Engineering")
    link = AdminPeoplePage(admin).open().invite(NORA_EMAIL, "Nora Newcomer")

    nora = new_context().new_page()
    nora.goto(link)
    InvitationPage(nora).arrived().set_password("a-newcomers-password")

    expect(nora).to_have_url(f"{server.url}/welcome")
    welcome = WelcomePage(nora).arrived()
    expect(welcome.heading).to_have_text("Welcome to Agora")
    expect(nora.get_by_role("heading", name="What Agora is for")).to_be_visible()
    expect(nora.get_by_role("heading", name="Who can read what")).to_be_visible()
    # Engineering took her in already; open public spaces she is not in are offered.
    expect(welcome.suggestions.first).to_be_visible()
    assert welcome.suggestions.count() <= 3
    expect(welcome.page.locator(".welcome-spaces")).not_to_contain_text("Engineering")
    welcome.screenshot("desktop-welcome")

    offered = welcome.suggestions.first
    name = offered.locator("h3").inner_text()
    welcome.join(name)
    expect(offered.get_by_role("status")).to_have_text("Joined")
    assert nora.url.endswith("/welcome")  # swapped in place by htmx

    prompt = welcome.checklist_link("Answer a welcome prompt")
    assert prompt.get_attribute("href") != "/"
    nora.goto(f"{server.url}/about/visibility")
    your_spaces = nora.locator("main ul.plain")
    expect(your_spaces).to_contain_text("Engineering")
    expect(your_spaces).to_contain_text(name)

    # The next sign-in (on her phone) goes home as usual; the welcome page fits the phone.
    again = new_context(phone=True).new_page()
    LoginPage(again).open().sign_in(NORA_EMAIL, "a-newcomers-password")
    expect(again).to_have_url(f"{server.url}/")
    WelcomePage(again).open().screenshot("phone-welcome")
    assert not has_horizontal_scroll(again)


def test_joining_from_the_welcome_page_works_without_javascript(browser, server):
    with server.session() as session:
        create_user(
            session, email="otto.nojs@example.com", display_name="Otto NoJS", password=PASSWORD
        )
    context = browser.new_context(base_url=server.url, java_script_enabled=False)
    try:
        page = context.new_page()
        LoginPage(page).open().sign_in("otto.nojs@example.com", PASSWORD)
        welcome = WelcomePage(page).open()
        name = welcome.suggestions.first.locator("h3").inner_text()
        welcome.join(name)
        page.wait_for_load_state()
        expect(page.get_by_role("status").first).to_contain_text(f"You joined {name}.")
    finally:
        context.close()


def test_a_person_switches_to_german_and_dates_read_the_german_way(new_context, server):
    with server.session() as session:
        greta = create_user(
            session, email="greta.g@example.com", display_name="Greta German", password=PASSWORD
        )
        anna = user_by_email(session, ANNA.email)
        access = space_access_by_slug(session, anna, "engineering")
        event = create_event(
            session,
            access=access,
            data=event_input(
                title="Architecture breakfast",
                starts_at="2030-07-02T08:00",
                ends_at="2030-07-02T09:30",
                capacity="1",
            ),
        )
        set_rsvp(session, user=anna, event_id=event.id, status="going")
        greta_id, event_id = greta.id, event.id
    assert greta_id is not None

    page = new_context().new_page()
    LoginPage(page).open().sign_in("greta.g@example.com", PASSWORD)
    SettingsPage(page).open().choose_language("Deutsch")

    expect(page.get_by_role("status").first).to_have_text("Gespeichert.")
    expect(page.locator("html")).to_have_attribute("lang", "de")
    page.goto(f"{server.url}/events/{event_id}")
    main = page.locator("main")
    expect(main).to_contain_text("Dienstag, 2. Juli 2030, 08:00")
    expect(main).to_contain_text("Ausgebucht")
    expect(main).not_to_contain_text("noch 0")
    BasePage(page).screenshot("desktop-event-german")

    SettingsPage(page).open().choose_language(
        "English", label="Sprache", save_label="Profil speichern"
    )
    expect(page.locator("html")).to_have_attribute("lang", "en")
