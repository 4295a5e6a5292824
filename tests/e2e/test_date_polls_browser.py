"""Finding a date in Chromium: a host proposes three dates, three people answer, the host makes
the best date an event, and those who said yes see themselves going."""

from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest

from app.core.db import utcnow
from tests.e2e import community_support as support
from tests.e2e.community_support import AgoraPage, screenshot
from tests.e2e.pages import assert_accessible, has_horizontal_scroll
from tests.factories import make_post, make_space, make_user

pytestmark = pytest.mark.browser
live_server = support.live_server


class DatePollPage(AgoraPage):
    """A person's view of a date poll (a page object for this flow)."""

    def propose(self, slug: str, title: str, starts: list[str]) -> str:
        page = self.open(f"/spaces/{slug}/events")
        page.click("a:has-text('Find a date')")
        page.wait_for_url("**/date-polls/new")
        assert_accessible(page)
        page.fill("#dp-title", title)
        page.select_option("#dp-timezone", "Europe/Berlin")
        for n, start in enumerate(starts):
            page.fill(f"#dp-start-{n}", start)
        page.click("text=Ask the members")
        page.wait_for_selector("h2:has-text('Which dates suit you?')")
        return page.url

    def answer(self, url: str, choices: list[str]) -> None:
        page = self.open(url.removeprefix(self.base_url))
        rows = page.locator("tr.date-slot-row")
        for n, choice in enumerate(choices):
            rows.nth(n).locator(f"input[value='{choice}']").check()
        page.click("text=Save my answers")
        # The answer comes back as the poll fragment, with this person's choices kept.
        page.wait_for_selector(f"tr.date-slot-row >> nth=0 >> input[value='{choices[0]}']:checked")
        assert_accessible(page)

    def make_event(self, url: str) -> None:
        page = self.open(url.removeprefix(self.base_url))
        page.click("text=Create the event")
        page.wait_for_selector("h2:has-text('Are you coming?')")


def test_three_people_find_a_date_and_the_yes_sayers_are_going(session, live_server, browser):
    host = make_user(session, name="Hanna Host")
    ada, bo, cem = (make_user(session, name=n) for n in ("Ada Yes", "Bo Maybe", "Cem Also"))
    space = make_space(session, host=host, members=(ada, bo, cem), name="Platform Team")
    zone = ZoneInfo("Europe/Berlin")
    days = [(utcnow() + timedelta(days=d)).astimezone(zone) for d in (10, 11, 12)]
    starts = [d.strftime("%Y-%m-%dT18:00") for d in days]

    hanna = DatePollPage(browser, live_server, host)
    url = hanna.propose(space.slug, "Team dinner", starts)

    # Ada and Cem can come on the second date; Bo only if need be.
    DatePollPage(browser, live_server, ada).answer(url, ["no", "yes", "maybe"])
    DatePollPage(browser, live_server, bo).answer(url, ["yes", "maybe", "no"])
    cem_page = DatePollPage(browser, live_server, cem)
    cem_page.answer(url, ["maybe", "yes", "no"])
    best = cem_page.page.locator("tr.is-best")
    assert best.count() == 1
    assert days[1].strftime("%-d") in best.locator("th").inner_text()
    assert "Ada Yes" in best.inner_text() and "Bo Maybe" in best.inner_text()
    screenshot(cem_page.page, "date-poll-answered")
    phone = AgoraPage(browser, live_server, cem, viewport={"width": 390, "height": 844})
    on_phone = phone.open(url.removeprefix(live_server))
    assert not has_horizontal_scroll(on_phone)
    screenshot(on_phone, "date-poll-phone")

    hanna.make_event(url)
    event_page = hanna.page
    assert "Team dinner" in event_page.content()
    assert "2 going" in event_page.locator(".rsvp-counts").inner_text()
    event_url = event_page.url.removeprefix(live_server)

    for person in (ada, cem):
        view = AgoraPage(browser, live_server, person).open(event_url)
        assert "You're going." in view.locator(".rsvp-mine").inner_text()
    bo_view = AgoraPage(browser, live_server, bo).open(event_url)
    assert bo_view.locator(".rsvp-mine").count() == 0
    closed = AgoraPage(browser, live_server, bo).open(url.removeprefix(live_server))
    assert "The date is set." in closed.content()


def test_an_author_asks_a_quick_question_and_a_member_votes(session, live_server, browser):
    host = make_user(session, name="Hanna Host")
    member = make_user(session, name="Max Member")
    space = make_space(session, host=host, members=(member,), name="Lunch Club")
    post = make_post(session, author=host, space=space, title="Friday lunch")

    author = AgoraPage(browser, live_server, host)
    page = author.open(f"/posts/{post.id}")
    page.click("a:has-text('Add a poll')")
    page.wait_for_url("**/poll/new")
    assert "nobody, admins included" in page.content()
    assert_accessible(page)
    page.fill("#qp-question", "Where shall we go?")
    page.fill("#qp-options", "Pizza\nRamen\nSalad bar")
    page.click("text=Add the poll")
    page.wait_for_selector("#quick-poll h2:has-text('Where shall we go?')")
    assert "Named poll" in page.locator("#quick-poll").inner_text()

    voter = AgoraPage(browser, live_server, member).open(f"/posts/{post.id}")
    voter.wait_for_selector("#quick-poll input[type=radio]")
    voter.check("#quick-poll label:has-text('Ramen') input")
    voter.click("#quick-poll button:has-text('Answer')")
    voter.wait_for_selector("#quick-poll .quick-poll-votes")
    ramen = voter.locator(".quick-poll-option", has_text="Ramen").inner_text()
    assert "1 vote" in ramen and "Max Member" in ramen
    assert_accessible(voter)
    screenshot(voter, "quick-poll-answered")
