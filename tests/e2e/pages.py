"""Page objects: what a person sees and does on each page, so tests read like the flows they check.

Every page object checks the page it lands on for basic accessibility (accessibility.js).
"""

import re
from pathlib import Path
from typing import Self

from playwright.sync_api import Locator, Page, expect

SCREENSHOTS = Path(__file__).parent / "screenshots"

ACCESSIBILITY_PROBLEMS = (Path(__file__).parent / "accessibility.js").read_text()


def assert_accessible(page: Page) -> None:
    problems = page.evaluate(ACCESSIBILITY_PROBLEMS)
    assert not problems, f"accessibility problems on {page.url}:\n" + "\n".join(problems)


def has_horizontal_scroll(page: Page) -> bool:
    return bool(
        page.evaluate(
            "() => document.documentElement.scrollWidth > document.documentElement.clientWidth"
        )
    )


class BasePage:
    path = "/"

    def __init__(self, page: Page) -> None:
        self.page = page

    def open(self) -> Self:
        self.page.goto(self.path)
        return self.arrived()

    def arrived(self) -> Self:
        """Call after landing here by a link or a form: checks the page, then returns self."""
        self.page.wait_for_load_state()
        assert_accessible(self.page)
        return self

    @property
    def heading(self) -> Locator:
        return self.page.locator("h1")

    @property
    def unread_badge(self) -> Locator:
        return self.page.locator("#unread-badge .count-badge")

    def screenshot(self, name: str) -> Path:
        """The page from the top, at most two screens tall (long streams stay readable)."""
        SCREENSHOTS.mkdir(exist_ok=True)
        target = SCREENSHOTS / f"{name}.png"
        size = self.page.viewport_size or {"width": 1280, "height": 800}
        height = self.page.evaluate("() => document.documentElement.scrollHeight")
        clip = {"x": 0, "y": 0, "width": size["width"], "height": min(height, 2 * size["height"])}
        self.page.screenshot(path=target, full_page=True, clip=clip)  # type: ignore[arg-type]
        return target


class LoginPage(BasePage):
    path = "/login"

    @property
    def error(self) -> Locator:
        return self.page.locator(".form-error[role=alert]")

    def sign_in(self, email: str, password: str) -> None:
        self.page.get_by_label("Email").fill(email)
        self.page.get_by_label("Password").fill(password)
        self.page.get_by_role("button", name="Sign in", exact=True).click()
        self.page.wait_for_load_state()


class HomePage(BasePage):
    path = "/"

    @property
    def cards(self) -> Locator:
        return self.page.locator("#stream-items > li.post-card")

    def load_more(self) -> None:
        before = self.cards.count()
        self.page.get_by_role("link", name="Load more").click()
        expect(self.cards).not_to_have_count(before)


class SpacePage(BasePage):
    def __init__(self, page: Page, slug: str) -> None:
        super().__init__(page)
        self.path = f"/spaces/{slug}"

    @property
    def audience(self) -> Locator:
        return self.page.locator("#composer .audience")

    @property
    def member_count(self) -> Locator:
        return self.page.locator(".space-head .meta a[href$='/members']")

    @property
    def mention_options(self) -> Locator:
        return self.page.locator(".mention-list [role=option]")

    @property
    def body_field(self) -> Locator:
        return self.page.locator("#composer textarea[name=body]")

    def join(self) -> Self:
        self.page.get_by_role("button", name="Join", exact=True).click()
        return self.arrived()

    def type_body(self, text: str) -> None:
        """Type key by key, as a person does, so the mention helper sees each input event."""
        self.body_field.press_sequentially(text, delay=20)

    def choose_mention(self, handle: str) -> None:
        self.page.locator(f".mention-list [data-handle='{handle}']").click()

    def _submit_post(self, title: str, body: str | None) -> None:
        self.page.locator("#composer").get_by_label("Title").fill(title)
        if body is not None:
            self.body_field.fill(body)
        self.page.locator("#composer").get_by_role("button", name="Post", exact=True).click()

    def write_post(self, title: str, body: str | None = None) -> "PostPage":
        self._submit_post(title, body)
        self.page.wait_for_url(re.compile(r"/posts/\d+$"))
        return PostPage(self.page).arrived()

    def write_post_expecting_error(self, title: str, body: str) -> None:
        self._submit_post(title, body)
        self.page.wait_for_load_state()


class PostPage(BasePage):
    def __init__(self, page: Page, post_id: int | None = None) -> None:
        super().__init__(page)
        self.path = f"/posts/{post_id}"

    @property
    def body(self) -> Locator:
        return self.page.locator("article.post-full .prose")

    @property
    def comments(self) -> Locator:
        return self.page.locator("#comment-list > li.comment")

    @property
    def comment_field(self) -> Locator:
        return self.page.get_by_label("Your comment")

    def comment(self, text: str) -> None:
        before = self.comments.count()
        self.comment_field.fill(text)
        self.page.get_by_role("button", name="Comment", exact=True).click()
        expect(self.comments).to_have_count(before + 1)

    def reaction(self, label: str) -> Locator:
        """The reaction button of the post itself, e.g. reaction("Like")."""
        return self.page.locator("article.post-full .reactions").get_by_role(
            "button", name=re.compile(rf"^{label} \(\d+\)$")
        )

    def react(self, label: str) -> None:
        button = self.reaction(label)
        pressed = button.get_attribute("aria-pressed")
        button.click()
        expect(self.reaction(label)).not_to_have_attribute("aria-pressed", pressed or "")


class DirectoryPage(BasePage):
    path = "/spaces"


class NotificationsPage(BasePage):
    path = "/notifications"

    @property
    def items(self) -> Locator:
        return self.page.locator("li.notification")


class SiteNav:
    """The header: main links (behind a Menu button on a phone) and the person's own menu."""

    def __init__(self, page: Page) -> None:
        self.page = page
        self.menu_button = page.get_by_role("button", name="Menu", exact=True)
        self.links = page.locator(".nav-links")
        self.own_menu = page.locator("details.nav-user")

    def open_menu_with_keyboard(self) -> None:
        self.menu_button.focus()
        self.page.keyboard.press("Enter")
        expect(self.menu_button).to_have_attribute("aria-expanded", "true")

    def link_rows(self) -> int:
        """On how many lines the main links and the own menu stand."""
        return int(
            self.page.evaluate(
                "() => new Set([...document.querySelectorAll('.nav-links > li, .nav-user')]"
                ".map((el) => Math.round(el.getBoundingClientRect().top))).size"
            )
        )


class SettingsPage(BasePage):
    path = "/settings"

    def choose_theme_with_keyboard(self, label: str) -> None:
        """Tab to the theme choice, move with the arrow keys to `label`, then save."""
        current = self.page.locator("input[name=theme]:checked")
        current.focus()
        for _ in range(3):
            if self.page.get_by_label(label, exact=True).is_checked():
                break
            self.page.keyboard.press("ArrowDown")
        expect(self.page.get_by_label(label, exact=True)).to_be_checked()
        self.page.get_by_role("button", name="Save profile").press("Enter")
        self.page.wait_for_url("**/settings?saved=1")
        self.arrived()

    def background(self) -> str:
        script = "() => getComputedStyle(document.documentElement).backgroundColor"
        return str(self.page.evaluate(script))


class EditPostPage(BasePage):
    def __init__(self, page: Page, post_id: int) -> None:
        super().__init__(page)
        self.path = f"/posts/{post_id}/edit"

    def rewrite(self, title: str, body: str) -> None:
        """Select the old text and type the new one, as a person does, then save."""
        for label, text in (("Title", title), ("Text", body)):
            field = self.page.get_by_label(label, exact=True)
            field.click()
            self.page.keyboard.press("Control+A")
            field.press_sequentially(text, delay=10)
        self.page.get_by_role("button", name="Save").click()
        self.page.wait_for_url(re.compile(r"/posts/\d+$"))


class PostHistoryPage(BasePage):
    @property
    def versions(self) -> Locator:
        return self.page.locator("li.version")
