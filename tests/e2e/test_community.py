"""Browser tests for community management: scheduled prompts, moderation, the health view."""

import time
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest

from app.core.db import utcnow
from tests.e2e import community_support as support
from tests.e2e.community_support import (
    AgoraPage,
    PostPage,
    PromptComposer,
    ReviewQueue,
    screenshot,
)
from tests.factories import make_comment, make_post, make_space, make_user

pytestmark = pytest.mark.browser
live_server = support.live_server


def test_a_host_schedules_a_prompt_and_it_appears_on_time(session, live_server, browser):
    host, member = make_user(session, name="Hanna Host"), make_user(session, name="Max Member")
    space = make_space(session, host=host, members=(member,), name="Platform Team")
    # The form takes whole minutes: the next full minute at least 20 s away (time to fill it in).
    soon = utcnow() + timedelta(seconds=80)
    publish = soon.replace(second=0, microsecond=0).astimezone(ZoneInfo(host.time_zone))
    composer = PromptComposer(browser, live_server, host)
    composer.schedule_library_prompt(space.slug, publish.strftime("%Y-%m-%dT%H:%M"))
    screenshot(composer.page, "prompt-scheduled")
    question = composer.page.locator("h1#post-title").inner_text()

    reader = AgoraPage(browser, live_server, member)
    stream = reader.open(f"/spaces/{space.slug}")
    assert question not in stream.content()  # not before its time

    deadline = publish.timestamp() + 10
    while time.time() < deadline and question not in stream.content():
        time.sleep(1)
        stream.reload()
    assert question in stream.content()
    assert time.time() >= publish.timestamp() - 1  # and not early
    screenshot(stream, "prompt-published")

    # The job announces it within a few seconds (here every second): the host is told.
    notes = composer.open("/notifications")
    deadline = time.time() + 15
    while "is now published" not in notes.content() and time.time() < deadline:
        time.sleep(1)
        notes.reload()
    assert "is now published" in notes.content()


def test_a_member_flags_a_host_hides_and_the_author_sees_why(session, live_server, browser):
    host = make_user(session, name="Hanna Host")
    author = make_user(session, name="Arno Author")
    member = make_user(session, name="Mia Member")
    space = make_space(session, host=host, members=(author, member), name="Sales DACH")
    post = make_post(
        session, author=author, space=space, title="Customer list", body="Names of customers"
    )

    PostPage(browser, live_server, member).flag(post.id, "Confidential", "Customer names")
    queue = ReviewQueue(browser, live_server, host)
    queue.open("/moderation")
    screenshot(queue.page, "review-queue")
    queue.hide_first("It names customers; please share it in the private space instead.")

    writer = AgoraPage(browser, live_server, author)
    page = writer.open(f"/posts/{post.id}")
    assert "Hidden by a moderator" in page.content()
    page.click("text=Why is it hidden?")
    page.wait_for_selector("text=please share it in the private space instead")
    screenshot(page, "author-sees-why")
    notes = writer.open("/notifications").content()
    assert "A moderator hid your post" in notes

    other = AgoraPage(browser, live_server, member)
    assert "Customer list" not in other.open(f"/spaces/{space.slug}").content()


def test_the_health_page_renders_its_charts(session, live_server, browser):
    host = make_user(session, name="Hanna Host")
    leaders = [make_user(session, name=f"Lea Leader {i}") for i in range(4)]
    members = [make_user(session, name=f"Member {i}") for i in range(8)]
    for leader in leaders:
        leader.is_leader = True
        session.add(leader)
    session.commit()
    space = make_space(session, host=host, members=(*leaders, *members), name="Engineering")
    for i, person in enumerate((host, *leaders, *members)):
        post = make_post(session, author=person, space=space, title=f"Topic {i}")
        if i % 2:
            make_comment(session, author=members[i % len(members)], post=post)
    make_post(session, author=host, space=space, kind="prompt", title="Share a tip")

    viewer = AgoraPage(browser, live_server, host, viewport={"width": 1280, "height": 900})
    page = viewer.open(f"/spaces/{space.slug}/health")
    assert page.locator("svg.chart-svg").count() >= 6
    assert page.locator("rect.chart-bar").count() > 10
    screenshot(page, "health")

    phone = AgoraPage(browser, live_server, host, viewport={"width": 390, "height": 844})
    screenshot(phone.open(f"/spaces/{space.slug}/health"), "health-mobile")


def test_home_shows_pinned_announcements_the_checklist_and_the_showcase(
    session, live_server, browser
):
    from app.announcements.service import pin_on_home
    from app.showcase.service import feature_post

    admin = make_user(session, name="Ada Admin", admin=True)
    newcomer = make_user(session, name="Nina Newcomer")
    space = make_space(session, host=admin, members=(newcomer,), name="Company News")
    news = make_post(
        session, author=admin, space=space, title="Office closed on Friday", kind="announcement"
    )
    example = make_post(session, author=admin, space=space, title="How team X runs its blog")
    pin_on_home(session, user=admin, post_id=news.id, expires_at=utcnow() + timedelta(days=3))
    feature_post(session, user=admin, post_id=example.id, tags=["blogging", "external"])
    session.commit()

    page = AgoraPage(browser, live_server, newcomer).open("/")
    assert page.locator(".site-pin").count() == 1
    assert "Getting started" in page.content()
    assert "How team X runs its blog" in page.locator(".side-col").inner_text()
    screenshot(page, "home")
