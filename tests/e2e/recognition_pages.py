"""Page objects for recognition: the admin's leaders page, a space with its aside, a post's
kudos dialog, and a profile's badges and kudos. Each checks accessibility where it lands."""

import re
from typing import Self

from playwright.sync_api import Locator, Page, expect

from tests.e2e.pages import BasePage, PostPage, SpacePage


class AdminRecognitionPage(BasePage):
    path = "/admin/recognition"

    @property
    def leaders(self) -> Locator:
        return self.page.locator("#leader-list > li")

    def mark_leader(self, email: str, title: str) -> Self:
        self.page.get_by_label("Email of the person").first.fill(email)
        self.page.get_by_label("Title (optional)").fill(title)
        self.page.get_by_role("button", name="Mark as leader").click()
        return self.arrived()

    @property
    def award_form(self) -> Locator:
        return self.page.locator("form[action='/admin/recognition/awards']")

    def give_badge(self, badge: str, email: str, reason: str, space: str = "") -> Self:
        form = self.award_form
        form.get_by_label("Badge").select_option(label=badge)
        form.get_by_label("Email of the person").fill(email)
        form.get_by_label("Space address (optional)").fill(space)
        form.get_by_label("Reason (shown on the profile)").fill(reason)
        form.get_by_role("button", name="Give badge").click()
        self.page.wait_for_load_state()
        return self


class NewSpacePage(BasePage):
    path = "/spaces/new"

    def create(self, name: str) -> "RecognitionSpacePage":
        self.page.get_by_label("Name", exact=True).fill(name)
        self.page.get_by_role("button", name="Create space").click()
        self.page.wait_for_url(re.compile(r"/spaces/[a-z0-9-]+$"))
        slug = self.page.url.rsplit("/", 1)[-1]
        return RecognitionSpacePage(self.page, slug).arrived()


class RecognitionSpacePage(SpacePage):
    def __init__(self, page: Page, slug: str) -> None:
        super().__init__(page, slug)
        self.slug = slug

    def card(self, title: str) -> Locator:
        return self.page.locator("li.post-card").filter(has_text=title)

    @property
    def aside(self) -> Locator:
        return self.page.locator("aside.side-col")

    @property
    def thanks(self) -> Locator:
        """Kudos entries in the stream (receivers who chose to show them)."""
        return self.page.locator("li.thanks-entry")

    def open_post(self, title: str) -> "KudosPostPage":
        self.card(title).get_by_role("link", name=title).click()
        self.page.wait_for_url(re.compile(r"/posts/\d+$"))
        return KudosPostPage(self.page).arrived()


class KudosPostPage(PostPage):
    @property
    def dialog(self) -> Locator:
        return self.page.locator("#kudos-dialog")

    def open_kudos(self) -> Locator:
        """The post's menu: "Give kudos" opens the form under the post, without a reload."""
        self.page.locator(".post-actions").get_by_role("link", name="Give kudos").click()
        field = self.page.get_by_label("Your message")
        expect(field).to_be_focused()
        self.arrived()
        return field

    def send_kudos(self, message: str) -> None:
        self.page.get_by_label("Your message").fill(message)
        self.page.get_by_role("button", name="Send kudos").click()
        expect(self.dialog).to_contain_text("Kudos sent")


class ProfilePage(BasePage):
    def __init__(self, page: Page, person_id: int | None = None) -> None:
        super().__init__(page)
        self.path = f"/people/{person_id}"

    @property
    def badges(self) -> Locator:
        return self.page.locator("#badges")

    @property
    def kudos(self) -> Locator:
        return self.page.locator("#kudos")


class ProtocolTextPage(BasePage):
    """A protocol's "Edit as text" form (each save credits its author in "Written by")."""

    def __init__(self, page: Page, protocol_id: int) -> None:
        super().__init__(page)
        self.path = f"/protocols/{protocol_id}/edit"

    def append(self, line: str) -> None:
        field = self.page.get_by_label("Markdown")
        field.fill(field.input_value() + line + "\n")
        self.page.get_by_role("button", name="Save").click()
        self.page.wait_for_url(re.compile(r"/protocols/\d+(\?.*)?$"))


class ProtocolKudosPage(BasePage):
    """A protocol page with "Thank the authors" under its "Written by" list."""

    def __init__(self, page: Page, protocol_id: int) -> None:
        super().__init__(page)
        self.path = f"/protocols/{protocol_id}"

    @property
    def dialog(self) -> Locator:
        return self.page.locator("#kudos-dialog")

    def open_kudos(self) -> None:
        self.page.get_by_role("link", name="Thank the authors").click()
        expect(self.page.get_by_label("Your message")).to_be_focused()
        self.arrived()

    def thank_them_all(self, message: str) -> None:
        self.page.get_by_label("Your message").fill(message)
        self.page.get_by_role("button", name="Thank them all").click()
        expect(self.dialog).to_contain_text("Kudos sent to")


class RecognitionSettingsPage(BasePage):
    path = "/settings/recognition"

    def show_kudos_in_spaces(self) -> Self:
        self.page.get_by_label(re.compile("Show kudos I receive")).check()
        self.page.get_by_role("button", name="Save").click()
        self.page.wait_for_url(re.compile(r"/settings/recognition\?saved=1$"))
        return self.arrived()
