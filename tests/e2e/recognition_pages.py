"""Page objects for the recognition browser tests, and a live server on the test database."""

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from playwright.sync_api import Locator, Page, expect

from tests.conftest import PASSWORD

SCREENSHOTS = Path(__file__).resolve().parent / "screenshots"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@contextmanager
def live_server(port: int) -> Iterator[str]:
    """Serve the app on 127.0.0.1:port against the test database, and stop it afterwards."""
    process = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "app.main:create_app", "--factory",
         "--host", "127.0.0.1", "--port", str(port), "--log-level", "warning"],
        env=dict(os.environ),
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                    break
            except OSError:
                time.sleep(0.2)
        else:
            raise RuntimeError("the test server did not start")
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        process.wait(timeout=10)


class Agora:
    """One signed-in person's browser tab."""

    def __init__(self, page: Page, base: str) -> None:
        self.page, self.base = page, base

    def go(self, path: str) -> Page:
        self.page.goto(self.base + path)
        return self.page

    def sign_in(self, email: str) -> "Agora":
        self.go("/login")
        self.page.get_by_label("Email").fill(email)
        self.page.get_by_label("Password").fill(PASSWORD)
        self.page.get_by_role("button", name="Sign in").click()
        self.page.wait_for_url(self.base + "/")
        return self

    def sign_out(self) -> None:
        self.page.get_by_role("button", name="Sign out").click()
        self.page.wait_for_url("**/login")

    def shot(self, name: str) -> Path:
        SCREENSHOTS.mkdir(exist_ok=True)
        path = SCREENSHOTS / f"recognition-{name}.png"
        self.page.screenshot(path=str(path), full_page=True)
        return path

    # Admin: leaders

    def mark_leader(self, email: str, title: str) -> None:
        self.go("/admin/recognition")
        self.page.get_by_label("Email of the person").first.fill(email)
        self.page.get_by_label("Title (optional)").fill(title)
        self.page.get_by_role("button", name="Mark as leader").click()
        expect(self.page.locator("#leader-list")).to_contain_text(title)

    # Spaces and posts

    def create_space(self, name: str) -> str:
        self.go("/spaces/new")
        self.page.get_by_label("Name").fill(name)
        self.page.get_by_role("button", name="Create space").click()
        self.page.wait_for_url("**/spaces/*")
        return self.page.url.rsplit("/", 1)[-1]

    def join(self, slug: str) -> None:
        self.go(f"/spaces/{slug}")
        self.page.get_by_role("button", name="Join").click()
        expect(self.page.get_by_role("button", name="Leave")).to_be_visible()

    def write_post(self, slug: str, title: str, body: str) -> None:
        self.go(f"/spaces/{slug}")
        self.page.get_by_label("Title").fill(title)
        self.page.get_by_label("Text").fill(body)
        self.page.get_by_role("button", name="Post", exact=True).click()
        self.page.wait_for_url("**/posts/*")

    def post_card(self, title: str) -> Locator:
        return self.page.locator(".post-card").filter(has_text=title)

    def open_post(self, slug: str, title: str) -> None:
        self.go(f"/spaces/{slug}")
        self.post_card(title).get_by_role("link", name=title).click()
        self.page.wait_for_url("**/posts/*")

    def give_kudos_from_post_menu(self, message: str) -> None:
        self.page.locator(".post-actions").get_by_role("link", name="Give kudos").click()
        field = self.page.get_by_label("Your message")
        expect(field).to_be_focused()
        field.fill(message)
        self.shot("kudos-dialog")
        self.page.get_by_role("button", name="Send kudos").click()
        expect(self.page.locator("#kudos-dialog")).to_contain_text("Kudos sent")
