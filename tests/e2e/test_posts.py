"""Reading a post: reactions and comments update in place (htmx), mentions reach the person."""

import pytest
from playwright.sync_api import expect

from app.posts.service import NO_COMMENT
from tests.e2e.conftest import ANNA, BEN, DORA
from tests.e2e.pages import HomePage, NotificationsPage, PostPage, SpacePage

pytestmark = pytest.mark.browser

# Set on the window before an action: still there afterwards means the page was not reloaded.
MARK = "window.agoraNoReload = true"
STILL_MARKED = "() => window.agoraNoReload === true"


def test_react_and_comment_without_a_reload(signed_in, server):
    post_id = server.create_post(
        author=BEN, space_slug="engineering", title="Build times halved", body="Details inside."
    )
    page = signed_in(ANNA)
    post = PostPage(page, post_id).open()
    expect(post.reaction("Like")).to_have_accessible_name("Like (0)")
    page.evaluate(MARK)

    post.react("Like")

    expect(post.reaction("Like")).to_have_accessible_name("Like (1)")
    expect(post.reaction("Like")).to_have_attribute("aria-pressed", "true")
    expect(post.reaction("Thanks")).to_have_accessible_name("Thanks (0)")

    post.comment("Great work, the whole team feels it.")

    expect(post.comments.last).to_contain_text("Great work, the whole team feels it.")
    expect(post.comments.last).to_contain_text(ANNA.name)
    actions = post.comments.last.locator(".comment-actions")
    expect(actions.get_by_role("link", name="Edit")).to_be_visible()
    expect(actions.get_by_role("button", name="Delete")).to_be_visible()
    expect(post.comment_field).to_have_value("")
    expect(page.locator("#comments-heading")).to_have_text("1 comment")
    assert page.evaluate(STILL_MARKED)
    post.arrived()
    post.screenshot("desktop-post")

    post.react("Like")  # a second press takes the reaction back
    expect(post.reaction("Like")).to_have_accessible_name("Like (0)")
    page.reload()
    expect(post.comments).to_have_count(1)
    expect(post.reaction("Like")).to_have_attribute("aria-pressed", "false")


def test_a_blank_comment_is_refused_in_place(signed_in, server):
    post_id = server.create_post(
        author=BEN, space_slug="engineering", title="Lunch order", body="Pizza or sushi?"
    )
    page = signed_in(ANNA)
    post = PostPage(page, post_id).open()

    post.comment_field.fill("   ")  # passes the browser's own check, not the server's
    page.get_by_role("button", name="Comment", exact=True).click()

    expect(page.locator("#comment-form .field-error")).to_have_text(NO_COMMENT)
    expect(post.comment_field).to_have_attribute("aria-invalid", "true")
    expect(post.comments).to_have_count(0)
    post.arrived()

    post.comment("Sushi, please.")

    expect(page.locator("#comment-form .field-error")).to_have_count(0)
    expect(page.locator("#comment-form form")).to_have_count(1)


def test_mention_a_colleague_who_then_sees_the_notification(signed_in):
    page = signed_in(ANNA)
    space = SpacePage(page, "engineering").open()

    space.type_body("Could you review the proposal, @do")

    expect(space.mention_options).to_have_count(1)
    expect(space.mention_options.first).to_contain_text(DORA.name)
    space.screenshot("desktop-mention-suggestions")
    space.choose_mention(DORA.handle)
    expect(space.body_field).to_have_value("Could you review the proposal, @dora ")
    post = space.write_post("Design review for the new search")
    expect(post.body.locator("a.mention")).to_have_text("@dora")

    dora = signed_in(DORA)
    expect(HomePage(dora).unread_badge).to_have_text("1 unread")
    dora.get_by_role("link", name="Notifications").click()
    notifications = NotificationsPage(dora).arrived()
    expect(notifications.items).to_have_count(1)
    expect(notifications.items.first).to_contain_text(
        "Anna Admin mentioned you in “Design review for the new search”"
    )
    notifications.screenshot("desktop-notifications")
    notifications.items.first.get_by_role("link").click()
    expect(PostPage(dora).arrived().heading).to_have_text("Design review for the new search")


def test_load_more_on_the_home_stream(signed_in):
    page = signed_in(ANNA)
    home = HomePage(page).arrived()
    expect(home.cards).to_have_count(20)
    home.screenshot("desktop-home")
    page.evaluate(MARK)

    while page.get_by_role("link", name="Load more").count():
        home.load_more()

    titles = home.cards.locator("h3").all_inner_texts()
    assert len(titles) > 20
    assert len(titles) == len(set(titles)), "a post shows twice"
    assert titles[-1] == "Weekly engineering note 1"
    assert page.evaluate(STILL_MARKED)
    home.arrived()
