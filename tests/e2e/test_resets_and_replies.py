"""Issue 17 in a real browser: a forgotten password reset through the admin's link, a reply to
a comment on the page, and another person's edit and deletion showing on an open post."""

import re

import pytest
from playwright.sync_api import expect

from app.people.service import create_user, user_by_email
from app.posts.service import add_comment, delete_comment, update_comment
from tests.e2e.conftest import ANNA, BEN
from tests.e2e.pages import LoginPage, PostPage

pytestmark = pytest.mark.browser

NEW_PASSWORD = "a-brand-new-passphrase"


def test_a_forgotten_password_is_reset_with_the_admins_link(signed_in, new_context, server):
    with server.session() as session:
        create_user(
            session, email="rita@example.com", display_name="Rita Reset", password="old-pw-123456"
        )
    # Rita finds the way from the sign-in page; this site sends no email, so she asks Anna.
    page = new_context().new_page()
    LoginPage(page).open()
    page.get_by_role("link", name="Forgot your password?").click()
    expect(page.get_by_role("heading", name="Forgot your password?")).to_be_visible()
    expect(page.get_by_text("Ask an administrator")).to_be_visible()
    page.screenshot(path=str(_shot("desktop-forgot-password")))

    admin = signed_in(ANNA)
    admin.goto("/admin/people?q=rita")
    admin.get_by_role("button", name="Password reset link Rita Reset").click()
    link = admin.locator("#reset-link input").input_value()
    assert "/reset/" in link
    admin.screenshot(path=str(_shot("desktop-admin-reset-link")))

    page.goto(link)
    expect(page.get_by_role("heading", name="Choose a new password")).to_be_visible()
    page.get_by_label("New password").fill("short")
    page.evaluate("document.querySelector('#password').removeAttribute('minlength')")
    page.get_by_role("button", name="Save the new password and sign in").click()
    expect(page.locator(".field-error")).to_have_text("Use at least 10 characters")
    page.screenshot(path=str(_shot("desktop-reset-weak")))
    page.get_by_label("New password").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Save the new password and sign in").click()
    expect(page).to_have_url(re.compile(r"/(settings\?password=1|welcome)$"))
    # The link worked once.
    page.goto(link)
    expect(page.get_by_text("not valid any more")).to_be_visible()


def test_a_reply_is_written_under_its_comment_and_edits_show_live(signed_in, server):
    post_id = server.create_post(
        author=ANNA, space_slug="engineering", title="Reply here", body="Which day suits?"
    )
    with server.session() as session:
        anna = user_by_email(session, ANNA.email)
        first = add_comment(session, user=anna, post_id=post_id, body="Tuesday works for me.")
        doomed = add_comment(session, user=anna, post_id=post_id, body="Or maybe Friday.")
        first_id, doomed_id = first.id, doomed.id

    ben = signed_in(BEN)
    post = PostPage(ben, post_id).open()
    ben.wait_for_timeout(500)  # the stream connects once the page has loaded
    ben.evaluate("window.agoraNoReload = true")
    ben.locator(f"#comment-{first_id}").get_by_role("link", name="Reply").click()
    ben.get_by_label("Your reply").fill("Tuesday is fine.")
    ben.get_by_role("button", name="Reply", exact=True).click()
    expect(post.comments).to_have_count(3)
    reply = ben.locator("#comment-list > li.comment.reply")
    # The form's answer and the live stream both bring the reply; the page keeps one of them.
    expect(reply).to_have_count(1)
    expect(reply).to_contain_text("Tuesday is fine.")
    expect(reply.get_by_role("link", name="In reply to a comment")).to_have_attribute(
        "href", f"#comment-{first_id}"
    )
    expect(ben.get_by_label("Your reply")).to_have_count(0)  # the form closed
    post.screenshot("desktop-comment-reply")

    with server.session() as session:
        anna = user_by_email(session, ANNA.email)
        update_comment(session, user=anna, comment_id=first_id, body="Tuesday or Wednesday.")
        delete_comment(session, user=anna, comment_id=doomed_id)
    expect(ben.locator(f"#comment-{first_id}")).to_contain_text("Tuesday or Wednesday.")
    expect(ben.locator(f"#comment-{doomed_id}")).to_have_count(0)
    assert ben.evaluate("() => window.agoraNoReload === true")


def test_the_reply_form_on_a_phone(signed_in, server):
    post_id = server.create_post(
        author=ANNA, space_slug="engineering", title="Phone reply", body="Quick question"
    )
    with server.session() as session:
        anna = user_by_email(session, ANNA.email)
        comment = add_comment(session, user=anna, post_id=post_id, body="Answer below, please.")
        add_comment(session, user=anna, post_id=post_id, body="A reply.", parent_id=comment.id)
        comment_id = comment.id
    phone = signed_in(BEN, phone=True)
    post = PostPage(phone, post_id).open()
    phone.locator(f"#comment-{comment_id}").get_by_role("link", name="Reply").click()
    expect(phone.get_by_label("Your reply")).to_be_visible()
    post.screenshot("phone-comment-reply")
    phone.goto("/forgot-password")
    phone.screenshot(path=str(_shot("phone-forgot-password")))


def _shot(name: str):  # type: ignore[no-untyped-def]
    from tests.e2e.pages import SCREENSHOTS

    SCREENSHOTS.mkdir(exist_ok=True)
    return SCREENSHOTS / f"{name}.png"
