"""Open pages update live: a comment written by another person (in their browser, or by another
process writing to the database) appears on an open post without a reload, exactly once; the
home stream says how many posts are new and shows them only when asked."""

import pytest
from playwright.sync_api import Page, expect

from app.events.rsvp import set_rsvp
from app.events.service import create_event
from app.people.service import user_by_email
from app.posts.service import add_comment
from app.spaces.access import space_access_by_slug
from tests.e2e.conftest import ANNA, BEN
from tests.e2e.pages import HomePage, PostPage
from tests.events.factories import event_input

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
    # The writer's page counts its comments before writing: it must have the reader's by then.
    expect(writer.comments).to_have_count(3)
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


def test_the_home_stream_tells_of_new_posts_and_shows_them_when_asked(signed_in, server):
    page = signed_in(BEN)
    home = HomePage(page).open()
    page.wait_for_timeout(500)
    page.evaluate(MARK)
    first_before = home.cards.first.inner_text()

    for n in (1, 2):
        server.create_post(
            author=ANNA, space_slug="engineering", title=f"Fresh news {n}", body="Read me."
        )
    news = page.get_by_role("link", name="2 new posts — show them")
    expect(news).to_be_visible()
    # Nothing moved under the reader's eyes.
    assert home.cards.first.inner_text() == first_before
    assert page.evaluate(STILL_MARKED)

    news.click()
    expect(home.cards.first).to_contain_text("Fresh news 2")
    expect(page.locator("#stream-news")).to_be_empty()


def test_an_open_event_page_counts_each_answer_as_it_comes(signed_in, server):
    with server.session() as session:
        anna = user_by_email(session, ANNA.email)
        access = space_access_by_slug(session, anna, "engineering")
        event = create_event(
            session, access=access, data=event_input(title="Live meetup", capacity=1)
        )
        session.commit()
        event_id = event.id
    page = signed_in(ANNA)
    page.goto(f"/events/{event_id}")
    page.wait_for_timeout(500)
    page.evaluate(MARK)
    expect(page.locator("#rsvp")).to_contain_text("0 going")

    with server.session() as session:
        ben = user_by_email(session, BEN.email)
        set_rsvp(session, user=ben, event_id=event_id, status="going")
        session.commit()
    expect(page.locator("#rsvp")).to_contain_text("1 going")
    expect(page.locator("#attendees")).to_contain_text(BEN.name)
    assert page.evaluate(STILL_MARKED)
