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
