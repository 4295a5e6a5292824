"""Finding things: type into the header's box, pick a result with the keyboard; the results
page updates as you type; nothing from a space you cannot read ever shows."""

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import BEN, CLARA
from tests.e2e.pages import PostPage
from tests.e2e.search_pages import SearchBox, SearchPage

pytestmark = pytest.mark.browser


def test_type_in_the_header_and_open_a_result_with_the_keyboard(signed_in):
    page = signed_in(CLARA)
    box = SearchBox(page)
    box.type("relay tea")

    expect(box.options.first).to_contain_text("Relay team wanted")
    expect(box.field).to_have_attribute("aria-expanded", "true")
    box.field.press("ArrowDown")
    expect(box.options.first).to_have_attribute("aria-selected", "true")
    box.field.press("Enter")

    page.wait_for_url(re.compile(r"/posts/\d+$"))
    PostPage(page).arrived()
    expect(page.locator("h1")).to_have_text("Relay team wanted")

    box.type("relay")
    expect(box.options.first).to_be_visible()
    box.field.press("Escape")
    expect(box.options).to_have_count(0)


def test_results_page_as_you_type_shows_only_readable_spaces(server, signed_in):
    server.create_post(
        author=BEN, space_slug="sales-team", title="Pipeline forecast", body="Quartalszahlen"
    )
    server.create_post(
        author=BEN, space_slug="running-club", title="Pipeline of runners", body="Quartal"
    )
    outsider = signed_in(CLARA)
    box = SearchBox(outsider)
    box.type("quartal")
    expect(box.options.first).to_contain_text("Pipeline of runners")
    box.field.press("Enter")  # nothing chosen: the results page
    outsider.wait_for_url(re.compile(r"/search\?q=quartal"))
    results = SearchPage(outsider).arrived()
    expect(results.hits).to_have_count(1)
    expect(results.hits.first).to_contain_text("Pipeline of runners")

    member = signed_in(BEN)
    results = SearchPage(member).open()
    results.field.press_sequentially("Quartalszahl", delay=40)
    expect(results.hits).to_have_count(1)
    expect(results.hits.first).to_contain_text("Pipeline forecast")
    expect(results.hits.first.locator("mark")).to_have_text("Quartalszahlen")
    member.wait_for_url(re.compile(r"q=Quartalszahl"))
    results.field.fill("nothingatallmatches")
    expect(results.empty).to_contain_text("No results in spaces you can read")
