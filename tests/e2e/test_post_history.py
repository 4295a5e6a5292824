"""A post's history: the author rewrites a post; a reader sees that and when it changed, the
author sees what it said before."""

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import BEN, DORA
from tests.e2e.pages import EditPostPage, PostHistoryPage, PostPage

pytestmark = pytest.mark.browser


def test_readers_see_that_a_post_changed_and_the_author_sees_what_it_said(signed_in, server):
    post_id = server.create_post(
        author=BEN, space_slug="engineering", title="Release on Friday", body="We ship **Friday**."
    )
    author = signed_in(BEN)
    EditPostPage(author, post_id).open().rewrite("Release on Monday", "We ship on Monday instead.")
    post = PostPage(author, post_id).arrived()
    expect(post.body).to_contain_text("Monday instead")

    reader = signed_in(DORA)
    PostPage(reader, post_id).open()
    reader.locator("article.post-full .meta").get_by_role("link", name="edited").click()
    reader.wait_for_url(re.compile(rf"/posts/{post_id}/history$"))
    history = PostHistoryPage(reader).arrived()
    expect(history.versions).to_have_count(1)
    expect(history.versions.first).to_contain_text("Shown from")
    expect(history.versions.first).not_to_contain_text("Friday")
    history.screenshot("post-history-reader")

    own = PostHistoryPage(author)
    author.goto(f"/posts/{post_id}/history")
    own.arrived()
    expect(own.versions.first.locator("h2")).to_have_text("Release on Friday")
    expect(own.versions.first.locator("strong")).to_have_text("Friday")
    own.screenshot("post-history-author")
