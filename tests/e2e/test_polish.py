"""The polish a company notices: icons that draw everywhere, a phone menu, a one-line admin
header, a grouped space header, and a dark theme chosen in Settings."""

import pytest
from playwright.sync_api import expect

from app.people.service import create_user
from tests.e2e.conftest import ANNA, BEN, Person
from tests.e2e.pages import DirectoryPage, HomePage, SettingsPage, SiteNav, SpacePage

pytestmark = pytest.mark.browser
LIGHT_BACKGROUND = "rgb(245, 246, 248)"
DARK_BACKGROUND = "rgb(18, 22, 29)"


def test_on_a_phone_the_links_open_from_the_menu_button(signed_in):
    page = signed_in(BEN, phone=True)
    home = HomePage(page).open()
    nav = SiteNav(page)
    expect(nav.links).to_be_hidden()
    nav.open_menu_with_keyboard()
    expect(nav.links).to_be_visible()
    home.screenshot("polish-phone-menu-open")
    nav.links.get_by_role("link", name="Spaces").click()
    DirectoryPage(page).arrived()
    expect(nav.links).to_be_hidden()  # a new page starts folded


HANNA = Person("hanna@example.com", "Hanna Hauptverwaltung", "hanna")  # a German-speaking admin


def test_the_admins_header_fits_one_line_and_the_own_menu_signs_out(signed_in, server):
    with server.session() as session:
        create_user(
            session, email=HANNA.email, display_name=HANNA.name, password=HANNA.password,
            admin=True, locale="de",
        )  # fmt: skip
    german = signed_in(HANNA)
    HomePage(german).open()
    HomePage(german).screenshot("polish-admin-header-de")
    assert SiteNav(german).link_rows() == 1, "the German admin header wraps"
    page = signed_in(ANNA)
    HomePage(page).open()
    nav = SiteNav(page)
    expect(nav.menu_button).to_be_hidden()
    assert nav.link_rows() == 1
    nav.own_menu.locator("summary").click()
    expect(nav.own_menu.get_by_role("link", name="Settings")).to_be_visible()
    page.keyboard.press("Escape")
    expect(nav.own_menu.get_by_role("link", name="Settings")).to_be_hidden()


def test_a_hosts_space_header_groups_its_tools_in_one_menu(signed_in):
    page = signed_in(ANNA)
    space = SpacePage(page, "engineering").open()
    header = page.locator(".space-head")
    assert header.locator("a.button:visible, button:visible, summary:visible").count() <= 3
    menu = header.locator("details.menu")
    menu.locator("summary").focus()
    page.keyboard.press("Enter")
    for tool in ("Settings", "Prompts", "Health", "Review queue", "Scheduled"):
        expect(menu.get_by_role("link", name=tool, exact=True)).to_be_visible()
    expect(menu.get_by_role("button", name="Leave")).to_be_visible()
    space.screenshot("polish-space-menu-open")
    page.keyboard.press("Escape")
    expect(menu.get_by_role("link", name="Prompts")).to_be_hidden()


def test_icons_draw_from_the_sprite_and_the_favicon_is_found(signed_in):
    page = signed_in(BEN)
    missing: list[str] = []
    page.on("response", lambda r: missing.append(r.url) if r.status >= 400 else None)
    space = SpacePage(page, "engineering").open()
    page.wait_for_load_state("networkidle")
    like = page.locator(".reaction svg.icon").first
    expect(like).to_be_visible()
    size = like.evaluate("(svg) => svg.querySelector('use').getBBox().width")
    assert size > 0, "the icon's symbol did not load"
    assert not missing, missing
    icon_url = page.locator("link[rel=icon]").get_attribute("href")
    assert icon_url and page.request.get(icon_url).ok
    space.screenshot("polish-icons")


def test_a_person_chooses_the_dark_theme_in_settings(signed_in):
    page = signed_in(BEN)  # the browser itself asks for light
    settings = SettingsPage(page).open()
    assert settings.background() == LIGHT_BACKGROUND
    settings.choose_theme_with_keyboard("Dark")
    assert settings.background() == DARK_BACKGROUND
    home = HomePage(page).open()
    assert page.locator("html").get_attribute("data-theme") == "dark"
    home.screenshot("polish-dark-by-choice")
    SettingsPage(page).open().choose_theme_with_keyboard("Like my device")
    assert settings.background() == LIGHT_BACKGROUND
