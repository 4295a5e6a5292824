"""A meetup end to end in Chromium: create, RSVP into the waitlist, move up, check in, protocol.

Screenshots of the event page at desktop and phone widths land in tests/e2e/screenshots/.
"""

import re
import socket
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import pytest

from app.core.security import SESSION_COOKIE
from tests.factories import make_space, make_user

pytestmark = pytest.mark.browser

PORT = 8431
SHOTS = Path(__file__).parent / "screenshots"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}


@pytest.fixture
def live_server() -> Iterator[str]:
    import uvicorn

    from app.main import create_app

    config = uvicorn.Config(
        create_app(), host="127.0.0.1", port=PORT, log_level="warning", ws="none", lifespan="off"
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", PORT)) == 0:
                break
        time.sleep(0.1)
    yield f"http://127.0.0.1:{PORT}"
    server.should_exit = True
    thread.join(timeout=10)


def _session_token(user) -> str:  # type: ignore[no-untyped-def]
    from sqlmodel import Session

    from app.core.db import get_engine
    from app.core.security import start_session

    with Session(get_engine()) as own:
        token = start_session(own, user=user)
        own.commit()
    return token


class EventPage:
    """One signed-in person's view of Agora (a page object for the events flow)."""

    def __init__(self, browser, base: str, user, viewport: dict[str, int] = DESKTOP):  # type: ignore[no-untyped-def]
        self.base = base
        self.context = browser.new_context(viewport=viewport, locale="en-GB")
        # Signed in with a real session cookie: the sign-in form is not what this test is about
        # (and its CSRF field renders empty in a browser, see the report).
        self.context.add_cookies(
            [{"name": SESSION_COOKIE, "value": _session_token(user), "url": base}]
        )
        self.page = self.context.new_page()
        self.page.goto(f"{base}/")

    def open(self, path: str) -> None:
        self.page.goto(self.base + path)

    def create_meetup(self, slug: str, *, title: str, start: datetime, capacity: int) -> str:
        self.open(f"/spaces/{slug}/events")
        self.page.click("text=New event")
        local = start.astimezone(ZoneInfo("Europe/Berlin"))
        self.page.fill("#ev-title", title)
        self.page.fill(
            "#ev-description", "- Welcome and coffee\n- Office move: what changes\n- Questions"
        )
        self.page.fill("#ev-starts", local.strftime("%Y-%m-%dT%H:%M"))
        self.page.fill("#ev-ends", (local + timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"))
        self.page.select_option("#ev-timezone", "Europe/Berlin")
        self.page.fill("#ev-location", "Kitchen, 3rd floor")
        self.page.fill("#ev-capacity", str(capacity))
        self.page.click("text=Create event")
        self.page.wait_for_selector("#rsvp")
        return urlsplit(self.page.url).path

    def answer(self, label: str) -> None:
        self.page.locator("#rsvp button", has_text=label).click()

    def status_text(self) -> str:
        return self.page.inner_text("#rsvp .rsvp-mine")

    def attendees(self) -> str:
        return self.page.inner_text("#attendees")

    def shoot(self, name: str) -> Path:
        SHOTS.mkdir(exist_ok=True)
        path = SHOTS / f"{name}.png"
        self.page.screenshot(path=str(path), full_page=True)
        return path

    def close(self) -> None:
        self.context.close()


def test_meetup_from_rsvp_to_protocol(session, live_server, browser):
    from playwright.sync_api import expect

    host = make_user(session, name="Hanna Host")
    alice = make_user(session, name="Alice Early")
    bob = make_user(session, name="Bob Later")
    space = make_space(session, host=host, members=(alice, bob), name="Berlin Office")

    organiser = EventPage(browser, live_server, host)
    start = (datetime.now(UTC) + timedelta(minutes=30)).replace(second=0, microsecond=0)
    path = organiser.create_meetup(space.slug, title="Team breakfast", start=start, capacity=1)
    expect(organiser.page.locator("h1")).to_contain_text("Team breakfast")

    first = EventPage(browser, live_server, alice)
    first.open(path)
    first.answer("Going")
    expect(first.page.locator("#rsvp .rsvp-mine")).to_contain_text("You're going.")
    expect(first.page.locator("#attendees")).to_contain_text("Alice Early")

    second = EventPage(browser, live_server, bob, viewport=PHONE)
    second.open(path)
    expect(second.page.locator("#rsvp")).to_contain_text("Full: 1 place is taken")
    second.answer("Join waitlist")
    expect(second.page.locator("#rsvp .rsvp-mine")).to_contain_text("number 1 on the waitlist")
    second.shoot("event-phone-waitlisted")

    first.answer("Can't go")
    expect(first.page.locator("#rsvp .rsvp-mine")).to_contain_text("You're not going.")
    second.open(path)
    expect(second.page.locator("#rsvp .rsvp-mine")).to_contain_text("You're going.")
    second.open("/notifications")
    expect(second.page.locator(".notifications")).to_contain_text("A place opened up")

    organiser.open(f"{path}/checkin")
    expect(organiser.page.locator("img.qr")).to_be_visible()
    qr_ok = organiser.page.evaluate("document.querySelector('img.qr').naturalWidth > 0")
    assert qr_ok
    checkin_path = urlsplit(organiser.page.input_value("#checkin-url")).path
    organiser.shoot("checkin-desktop")
    second.open(checkin_path)
    expect(second.page.locator("h1")).to_have_text("You're checked in")

    organiser.open(path)
    expect(organiser.page.locator("#attendees")).to_contain_text("Bob Later")
    expect(organiser.page.locator("#attendees")).not_to_contain_text("Alice Early")
    organiser.shoot("event-desktop-host")
    second.open(path)
    expect(second.page.locator("#rsvp")).to_contain_text("Checked in")
    second.shoot("event-phone-attendee")

    organiser.page.click("text=Start protocol")
    template = organiser.page.locator("#protocol-markdown")
    expect(template).to_have_value(
        re.compile(r"Team breakfast[\s\S]*Kitchen, 3rd floor[\s\S]*- Bob Later[\s\S]*Office move")
    )
    assert "Alice Early" not in template.input_value()
    organiser.page.click("text=Copy protocol template")
    organiser.shoot("protocol-desktop")

    phone_host = EventPage(browser, live_server, host, viewport=PHONE)
    phone_host.open(path)
    phone_host.shoot("event-phone-host")
    phone_host.open(f"/spaces/{space.slug}/events")
    expect(phone_host.page.locator("#upcoming-items")).to_contain_text("Team breakfast")
    phone_host.shoot("space-events-phone")
    organiser.open(f"/spaces/{space.slug}/events")
    organiser.shoot("space-events-desktop")
    organiser.open("/")
    expect(organiser.page.locator(".upcoming-aside")).to_contain_text("Team breakfast")
    organiser.shoot("home-desktop")
    organiser.open(f"/spaces/{space.slug}/events/new")
    organiser.page.click("text=Create event")
    expect(organiser.page.locator(".form-error").first).to_be_visible()
    organiser.shoot("form-errors-desktop")
    for person in (organiser, first, second, phone_host):
        person.close()
