"""Recognition in a real browser: leader badge, early adopters of a new space, kudos flow."""

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, expect, sync_playwright

from tests.e2e.recognition_pages import CHROMIUM_ARGS, Agora, live_server
from tests.factories import make_space, make_user

pytestmark = pytest.mark.browser
PORT = 8531


@pytest.fixture
def server() -> Iterator[str]:
    with live_server(PORT) as base:
        yield base


@pytest.fixture
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS
        )
        yield chromium
        chromium.close()


def _tab(browser: Browser, server: str, email: str) -> Agora:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    return Agora(context.new_page(), server).sign_in(email)


def test_admin_marks_a_leader_and_the_badge_shows_in_the_stream(session, server, browser):
    admin = make_user(session, admin=True, name="Ada Admin")
    greta = make_user(session, name="Greta Hansen")
    reader = make_user(session, name="Rudi Reader")
    space = make_space(session, host=greta, members=(reader,), name="All hands")
    greta_tab = _tab(browser, server, greta.email)
    greta_tab.write_post(space.slug, "Our plans for next year", "Questions welcome.")

    _tab(browser, server, admin.email).mark_leader(greta.email, "CEO")

    tab = _tab(browser, server, reader.email)
    tab.go(f"/spaces/{space.slug}")
    card = tab.post_card("Our plans for next year")
    badge = card.locator(".badge-leader")
    expect(badge).to_have_text("★ Leader: CEO")  # the title is there for screen readers
    expect(badge).to_be_visible()
    expect(tab.page.locator("aside")).to_contain_text("Leaders taking part")
    tab.shot("leader-in-stream")
    tab.page.set_viewport_size({"width": 390, "height": 844})
    tab.shot("leader-in-stream-mobile")
    tab.page.set_viewport_size({"width": 1280, "height": 900})
    tab.go("/")
    expect(tab.page.locator(".voices")).to_contain_text("Our plans for next year")
    tab.shot("home-leaders-voices")


def test_first_contributors_of_a_new_space_become_early_adopters(session, server, browser):
    founder = make_user(session, name="Farid Founder")
    second = make_user(session, name="Sina Second")
    founder_tab = _tab(browser, server, founder.email)
    slug = founder_tab.create_space("Coffee lovers")
    founder_tab.write_post(slug, "Best beans in town?", "Share your favourites.")

    second_tab = _tab(browser, server, second.email)
    second_tab.join(slug)
    second_tab.write_post(slug, "Try the roastery", "Round the corner from the office.")

    second_tab.go(f"/spaces/{slug}")
    for title in ("Best beans in town?", "Try the roastery"):
        expect(second_tab.post_card(title).locator(".badge-mark")).to_have_text("🌱 Early adopter")
    expect(second_tab.page.locator(".spotlight")).to_contain_text("Early adopter spotlight")
    second_tab.shot("early-adopters-in-space")
    second_tab.go(f"/people/{founder.id}")
    expect(second_tab.page.locator("#badges")).to_contain_text("Early adopter")
    expect(second_tab.page.locator("#badges")).to_contain_text("Coffee lovers")
    second_tab.shot("profile-badges")


def test_kudos_from_the_posts_menu_reach_the_profile(session, server, browser):
    author = make_user(session, name="Ines Costa")
    fan = make_user(session, name="Ben Okafor")
    space = make_space(session, host=author, members=(fan,), name="Design")
    author_tab = _tab(browser, server, author.email)
    author_tab.write_post(space.slug, "New button styles", "Have a look and tell me.")

    tab = _tab(browser, server, fan.email)
    tab.open_post(space.slug, "New button styles")
    tab.give_kudos_from_post_menu("These make the forms so much clearer!")
    tab.shot("kudos-sent")
    tab.page.get_by_role("link", name="See them on the profile").click()

    kudos = tab.page.locator("#kudos")
    expect(kudos).to_contain_text("These make the forms so much clearer!")
    expect(kudos).to_contain_text("New button styles")
    tab.shot("profile-kudos")
