"""Joining a space and writing in it: the composer always says who will read the post."""

import re

import pytest
from playwright.sync_api import expect

from app.posts.service import NO_TEXT
from tests.e2e.conftest import BEN, CLARA
from tests.e2e.pages import HomePage, SpacePage

pytestmark = pytest.mark.browser


def test_join_a_public_space_then_its_posts_reach_the_home_stream(signed_in):
    page = signed_in(CLARA)
    space = SpacePage(page, "running-club").open()
    # Other journeys (a newcomer's welcome page) may have joined it first: count from here.
    expect(space.member_count).to_have_text(re.compile(r"^\d+ members?$"))
    before = int(space.member_count.inner_text().split()[0])
    expect(page.locator("#composer")).to_have_count(0)

    space.join()

    expect(space.member_count).to_have_text(f"{before + 1} members")
    page.locator(".space-head summary").click()  # Leave sits in the space's menu
    expect(page.get_by_role("button", name="Leave", exact=True)).to_be_visible()
    expect(space.audience).to_contain_text("Visible to everyone at the company.")
    home = HomePage(page).open()
    expect(home.cards.filter(has_text="Relay team wanted")).to_have_count(1)


def test_write_a_post_in_a_private_space(signed_in):
    page = signed_in(BEN)
    space = SpacePage(page, "sales-team").open()
    expect(space.audience).to_contain_text("Visible to the 2 members of Sales Team.")
    space.screenshot("desktop-space-private")

    post = space.write_post(
        "Q3 pipeline review", "Numbers are **up** by 12 %.\n\n- DACH\n- Nordics"
    )

    expect(post.heading).to_have_text("Q3 pipeline review")
    expect(post.body.locator("strong")).to_have_text("up")
    expect(post.body.locator("li")).to_have_count(2)
    expect(page.locator("#comment-form .audience")).to_contain_text(
        "Visible to the 2 members of Sales Team."
    )


def test_an_empty_post_is_refused_with_a_message(signed_in):
    page = signed_in(BEN)
    space = SpacePage(page, "engineering").open()
    # The browser's own check would stop an empty field; a blank one reaches the server.
    space.write_post_expecting_error("A title", "   ")

    expect(page.locator("#composer .field-error")).to_have_text(NO_TEXT)
    space.arrived()
