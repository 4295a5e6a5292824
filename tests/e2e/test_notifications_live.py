"""The notification badge updates live, and each person chooses what comes by email."""

import pytest
from playwright.sync_api import Page, expect
from sqlmodel import select

from app.people.models import User
from app.people.service import create_user, user_by_email
from app.spaces.access import access_for
from app.spaces.models import Space
from app.spaces.service import add_member
from tests.e2e.conftest import ANNA, BEN, Person
from tests.e2e.pages import BasePage, HomePage, PostPage

pytestmark = pytest.mark.browser

ERIK = Person("erik@example.com", "Erik Live", "erik")  # joins Engineering for these tests
MARK = "window.agoraNoReload = true"
STILL_MARKED = "() => window.agoraNoReload === true"


@pytest.fixture
def erik(server):  # type: ignore[no-untyped-def]
    with server.session() as session:
        if session.exec(select(User).where(User.email == ERIK.email)).first() is None:
            person = create_user(
                session, email=ERIK.email, display_name=ERIK.name, password=ERIK.password
            )
            anna = user_by_email(session, ANNA.email)
            engineering = session.exec(select(Space).where(Space.name == "Engineering")).one()
            add_member(session, access=access_for(session, anna, engineering), user=person)
            session.commit()
    return ERIK


class NotificationSettingsPage(BasePage):
    path = "/settings/notifications"

    def choice(self, kind: str, mode: str):  # type: ignore[no-untyped-def]
        return self.page.get_by_role("radio", name=f"{kind} {mode}", exact=True)

    def save(self) -> None:
        self.page.get_by_role("button", name="Save").click()
        self.page.wait_for_load_state()


def test_a_mention_shows_on_the_badge_without_a_reload(signed_in, server, erik):
    post_id = server.create_post(
        author=ANNA, space_slug="engineering", title="Release train", body="Who drives it?"
    )
    page: Page = signed_in(erik)
    home = HomePage(page).open()
    expect(home.unread_badge).to_have_count(0)
    page.wait_for_timeout(500)  # the stream connects once the page has loaded
    page.evaluate(MARK)

    ben = signed_in(BEN)
    PostPage(ben, post_id).open().comment(f"@{erik.handle} could you take this one?")

    expect(home.unread_badge).to_have_text("1 unread")
    assert page.evaluate(STILL_MARKED)


def test_choosing_what_comes_by_email(signed_in, erik):
    page: Page = signed_in(erik)
    page.goto("/settings")
    page.get_by_role("link", name="Email notifications and the digest").click()
    settings = NotificationSettingsPage(page).arrived()
    expect(settings.choice("Someone mentions me", "Right away")).to_be_checked()

    settings.choice("Someone mentions me", "Off").check()
    page.get_by_label("The digest of what I missed").select_option("daily")
    settings.save()

    expect(page.get_by_role("status")).to_have_text("Saved.")
    settings.arrived()
    expect(settings.choice("Someone mentions me", "Off")).to_be_checked()
    expect(page.get_by_label("The digest of what I missed")).to_have_value("daily")
