"""Mentioning someone with the keyboard only: the first suggestion is highlighted, Enter and
Tab choose it, and the composer is announced as a combobox owning a listbox."""

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import ANNA, BEN
from tests.e2e.pages import NotificationsPage, SpacePage

pytestmark = pytest.mark.browser


def test_enter_and_tab_choose_the_highlighted_person_who_is_then_notified(signed_in):
    page = signed_in(ANNA)
    space = SpacePage(page, "engineering").open()
    field = page.get_by_role("combobox", name="Text")
    expect(field).to_have_attribute("aria-expanded", "false")
    expect(field).to_have_attribute("aria-autocomplete", "list")

    space.type_body("Thanks for the relay plan, @be")

    suggestions = page.get_by_role("listbox", name="People")
    expect(suggestions).to_be_visible()
    expect(field).to_have_attribute("aria-expanded", "true")
    expect(field).to_have_attribute("aria-controls", "mention-list")
    ben = suggestions.get_by_role("option", name=f"{BEN.name} @{BEN.handle}")
    expect(ben).to_have_attribute("aria-selected", "true")
    expect(field).to_have_attribute("aria-activedescendant", ben.get_attribute("id") or "?")
    space.screenshot("desktop-mention-highlighted")

    field.press("Enter")

    expect(field).to_have_value("Thanks for the relay plan, @ben ")
    expect(suggestions).to_have_count(0)
    expect(field).to_have_attribute("aria-expanded", "false")

    space.type_body("– and once more, @be")
    expect(suggestions.get_by_role("option")).to_have_count(1)
    field.press("Tab")
    expect(field).to_have_value("Thanks for the relay plan, @ben – and once more, @ben ")
    expect(field).to_be_focused()

    post = space.write_post("Relay plan reviewed")
    expect(post.body.locator("a.mention")).to_have_text(["@ben", "@ben"])

    bens = signed_in(BEN)
    notifications = NotificationsPage(bens).open()
    expect(notifications.items.filter(has_text="Relay plan reviewed")).to_contain_text(
        "Anna Admin mentioned you in “Relay plan reviewed”"
    )


def test_escape_closes_the_suggestions_and_enter_then_starts_a_new_line(signed_in):
    page = signed_in(ANNA)
    space = SpacePage(page, "engineering").open()
    space.type_body("Ask @be")
    expect(space.mention_options).to_have_count(1)

    space.body_field.press("Escape")
    expect(space.mention_options).to_have_count(0)
    space.body_field.press("Enter")

    expect(space.body_field).to_have_value("Ask @be\n")
