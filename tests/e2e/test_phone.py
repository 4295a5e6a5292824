"""A phone-width pass (390 x 844): the main pages fit the screen without sideways scrolling."""

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import BEN
from tests.e2e.pages import (
    DirectoryPage,
    HomePage,
    LoginPage,
    PostPage,
    SpacePage,
    has_horizontal_scroll,
)

pytestmark = pytest.mark.browser
LONG_CODE = "some_code_that_is_far_too_long_for_a_phone(argument_one, argument_two, three)"


def test_sign_in_page_fits_a_phone(new_context):
    login = LoginPage(new_context(phone=True).new_page()).open()
    login.screenshot("phone-login")
    assert not has_horizontal_scroll(login.page)


def test_home_space_and_post_pages_fit_a_phone(signed_in, server):
    post_id = server.create_post(
        author=BEN,
        space_slug="engineering",
        title="A rather long title to see how headings wrap on a narrow screen of a phone",
        body=f"A long link: https://example.com/{'long-segment-' * 6}\n\n```\n{LONG_CODE}\n```",
    )
    page = signed_in(BEN, phone=True)
    pages = {
        "home": HomePage(page),
        "space": SpacePage(page, "engineering"),
        "post": PostPage(page, post_id),
        "spaces": DirectoryPage(page),
    }
    for name, shown in pages.items():
        shown.open()
        expect(shown.heading).to_be_visible()
        shown.screenshot(f"phone-{name}")
        assert not has_horizontal_scroll(page), f"the {name} page scrolls sideways on a phone"
