"""Page objects of a newcomer's first day: the admin's spaces everyone joins, the invitation,
the welcome page, and the settings where a person switches language. Typed with the keyboard."""

from playwright.sync_api import Locator, expect

from tests.e2e.pages import BasePage


class AdminSpacesPage(BasePage):
    path = "/admin/spaces"

    def everyone_joins(self, space_name: str) -> None:
        with self.page.expect_navigation():
            self.page.get_by_role("button", name=f"Add every newcomer ({space_name})").click()
        self.arrived()
        expect(
            self.page.get_by_role("button", name=f"Stop adding newcomers ({space_name})")
        ).to_be_visible()


class AdminPeoplePage(BasePage):
    path = "/admin/people"

    def invite(self, email: str, name: str) -> str:
        """Type the person's address and name, create the invitation; returns the link."""
        self.page.get_by_label("Email", exact=True).press_sequentially(email)
        self.page.keyboard.press("Tab")
        self.page.keyboard.type(name)
        with self.page.expect_navigation():
            self.page.keyboard.press("Enter")
        self.arrived()
        link = self.page.get_by_label("Invitation link")
        expect(link).to_be_visible()
        return link.input_value()


class InvitationPage(BasePage):
    def set_password(self, password: str) -> None:
        self.page.get_by_label("New password").press_sequentially(password)
        with self.page.expect_navigation():
            self.page.keyboard.press("Enter")


class WelcomePage(BasePage):
    path = "/welcome"

    @property
    def suggestions(self) -> Locator:
        return self.page.locator(".welcome-spaces > li")

    def join(self, space_name: str) -> None:
        self.page.get_by_role("button", name=f"Join {space_name}").click()

    def checklist_link(self, name: str) -> Locator:
        return self.page.locator(".checklist").get_by_role("link", name=name)


class SettingsPage(BasePage):
    path = "/settings"

    def choose_language(
        self, language: str, *, label: str = "Language", save_label: str = "Save profile"
    ) -> None:
        """Focus the language list, type the language's first letters, save with the keyboard
        (`label` and `save_label` as the page currently words them)."""
        self.page.get_by_label(label).focus()
        self.page.keyboard.type(language[:3])
        expect(self.page.get_by_label(label)).to_have_value(
            {"Deutsch": "de", "English": "en"}[language]
        )
        self.page.get_by_role("button", name=save_label).focus()
        with self.page.expect_navigation():
            self.page.keyboard.press("Enter")
        self.arrived()
