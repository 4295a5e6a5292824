"""Open pages update live: a comment written by another person (in their browser, or by another
process writing to the database) appears on an open post without a reload, exactly once."""

import pytest
from playwright.sync_api import Page, expect

from app.people.service import user_by_email
from app.posts.service import add_comment
from tests.e2e.conftest import ANNA, BEN
from tests.e2e.pages import PostPage

pytestmark = pytest.mark.browser

MARK = "window.agoraNoReload = true"
STILL_MARKED = "() => window.agoraNoReload === true"


def _open_and_mark(page: Page, post_id: int) -> PostPage:
    post = PostPage(page, post_id).open()
    page.wait_for_timeout(500)  # the stream connects once the page has loaded
    page.evaluate(MARK)
    return post


def test_a_comment_from_another_browser_appears_on_an_open_post(signed_in, server):
    post_id = server.create_post(
        author=ANNA, space_slug="engineering", title="Live coffee", body="Who brings the beans?"
    )
    reader = signed_in(ANNA)
    post = _open_and_mark(reader, post_id)
    expect(post.comments).to_have_count(0)

    writer = PostPage(signed_in(BEN), post_id).open()
    writer.comment("I bring the beans.")
    writer.comment("And the grinder.")

    expect(post.comments).to_have_count(2)
    expect(post.comments.nth(0)).to_contain_text("I bring the beans.")
    expect(post.comments.nth(1)).to_contain_text("And the grinder.")
    expect(reader.locator("#comments-heading")).to_have_text("2 comments")
    assert reader.evaluate(STILL_MARKED)
    # The writer sees each of their comments once (the form's answer and the live event).
    reader.wait_for_timeout(500)
    expect(writer.comments).to_have_count(2)

    # The reader's own comment, then one more from the writer: in order, none twice.
    post.comment("Great, see you at ten.")
    writer.comment("See you.")
    expect(post.comments).to_have_count(4)
    expect(post.comments.nth(3)).to_contain_text("See you.")
    assert reader.evaluate(STILL_MARKED)


def test_a_comment_written_by_another_process_appears(signed_in, server):
    """On SQLite too: this test process writes to the server's database, like `agora worker`."""
    post_id = server.create_post(
        author=ANNA, space_slug="engineering", title="Live tea", body="Green or black?"
    )
    post = _open_and_mark(signed_in(ANNA), post_id)
    with server.session() as session:
        ben = user_by_email(session, BEN.email)
        add_comment(session, user=ben, post_id=post_id, body="Green, please.")
        session.commit()
    expect(post.comments).to_have_count(1)
    expect(post.comments.nth(0)).to_contain_text("Green, please.")
    assert post.page.evaluate(STILL_MARKED)
