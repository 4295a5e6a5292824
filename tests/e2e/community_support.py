"""A live server and Chromium for the community browser tests, and their page objects.

Kept out of conftest.py so other domains' browser tests can bring their own fixtures.
"""

import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import uvicorn

from app.core.config import get_settings
from tests.conftest import PASSWORD
from tests.e2e.conftest import _free_port  # a port from AGORA_E2E_PORTS, like the others

SCREENSHOTS = Path(__file__).resolve().parent / "screenshots"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture
def live_server(monkeypatch) -> Iterator[str]:
    """The real app on a real port, running its periodic jobs every second."""
    from app.main import create_app

    monkeypatch.setattr(get_settings(), "run_jobs", True)
    monkeypatch.setattr(get_settings(), "jobs_interval_seconds", 1.0)
    port = _free_port()
    server = uvicorn.Server(
        uvicorn.Config(create_app(), host="127.0.0.1", port=port, log_level="warning")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if time.monotonic() > deadline:
            raise RuntimeError("the live server did not start")
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=30)


def screenshot(page, name: str) -> Path:  # type: ignore[no-untyped-def]
    SCREENSHOTS.mkdir(exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


class AgoraPage:
    """One signed-in person's browser tab."""

    def __init__(self, browser, base_url: str, user, viewport=None) -> None:  # type: ignore[no-untyped-def]
        self.base_url = base_url
        self.context = browser.new_context(
            viewport=viewport or {"width": 1200, "height": 900}, locale="en-GB"
        )
        self.page = self.context.new_page()
        self.page.set_default_timeout(20_000)
        self.page.goto(f"{base_url}/login")
        self.page.fill("#email", user.email)
        self.page.fill("#password", PASSWORD)
        self.page.click("button[type=submit].primary")
        self.page.wait_for_url(f"{base_url}/")

    def open(self, path: str):  # type: ignore[no-untyped-def]
        self.page.goto(f"{self.base_url}{path}")
        return self.page

    def close(self) -> None:
        self.context.close()


class PromptComposer(AgoraPage):
    def schedule_library_prompt(self, slug: str, publish_at_local: str) -> None:
        page = self.open(f"/spaces/{slug}/prompts")
        page.click("text=Use this prompt >> nth=0")
        page.fill("#prompt-publish-at", publish_at_local)
        page.click("text=Post the prompt")
        page.wait_for_selector("text=Scheduled for")


class PostPage(AgoraPage):
    def flag(self, post_id: int, reason_label: str, words: str) -> None:
        page = self.open(f"/posts/{post_id}")
        page.click("a:has-text('Flag')")
        page.check(f"label:has-text('{reason_label}') input")
        page.fill("#flag-detail", words)
        page.click("text=Send to the moderators")
        page.wait_for_selector("text=The moderators will look at it")


class ReviewQueue(AgoraPage):
    def hide_first(self, message: str) -> None:
        page = self.open("/moderation")
        item = page.locator(".queue-item").first
        item.locator("textarea[name=note]").fill(message)
        item.locator("button[value=hide]").click()
        page.wait_for_selector("text=Done.")
