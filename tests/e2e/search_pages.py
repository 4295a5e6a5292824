"""Page objects for search: the header's box with its suggestions, and the results page."""

from playwright.sync_api import Locator, Page

from tests.e2e.pages import BasePage


class SearchBox:
    """The search box in every page's header."""

    def __init__(self, page: Page) -> None:
        self.page = page

    @property
    def field(self) -> Locator:
        return self.page.get_by_role("combobox", name="Search")

    @property
    def options(self) -> Locator:
        return self.page.locator("#site-search-suggestions [role=option]")

    @property
    def suggestions(self) -> Locator:
        return self.page.locator("#site-search-suggestions")

    def type(self, text: str) -> None:
        self.field.click()
        self.field.press_sequentially(text, delay=40)


class SearchPage(BasePage):
    path = "/search"

    @property
    def field(self) -> Locator:
        return self.page.locator("#search-q")

    @property
    def hits(self) -> Locator:
        return self.page.locator(".search-hit")

    @property
    def empty(self) -> Locator:
        return self.page.locator("#search-results .empty")


class PeopleDirectoryPage(BasePage):
    """/people: everyone by name, or whom the index finds as you type; "Load more" below."""

    path = "/people"

    def listed(self, name: str = "") -> Locator:
        """The people listed (with `name`: those of that name)."""
        rows = self.page.locator(".people-directory > li:not(.load-more)")
        return rows.filter(has_text=name) if name else rows

    def more(self) -> Locator:
        return self.page.get_by_role("link", name="Load more")

    def find(self, text: str) -> None:
        label = "Find by name, handle, title or department"
        with self.page.expect_response(lambda r: "/people?q=" in r.url):
            self.page.get_by_label(label).fill(text)


class MembersPage(BasePage):
    """A space's members page, with the hosts' "add people" finder."""

    def open_for(self, slug: str) -> "MembersPage":
        self.path = f"/spaces/{slug}/members"
        return self.open()

    def member(self, name: str) -> Locator:
        return self.page.locator("h2:has-text('Members') + ul.people-list > li", has_text=name)

    def find(self, text: str) -> Locator:
        """Type into the finder as a person does; returns the people it offers."""
        with self.page.expect_response(lambda r: "/members/find?q=" in r.url):
            self.page.locator("#member-find").press_sequentially(text, delay=30)
        return self.page.locator("#member-candidates li")
