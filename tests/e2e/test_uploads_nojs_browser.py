"""Without JavaScript the file field of a text form is sent with the form: a comment with a
picture, an event with its programme, a protocol's text form with a photo of the whiteboard.
Screenshots on a desktop and a phone."""

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.e2e.conftest import ANNA, BEN, DESKTOP, PHONE, Person
from tests.e2e.pages import SCREENSHOTS, LoginPage
from tests.uploads.factories import png_bytes

pytestmark = pytest.mark.browser


@pytest.fixture
def without_js(browser: Browser, server) -> Iterator[Callable[..., Page]]:  # type: ignore[no-untyped-def]
    contexts = []

    def _open(person: Person, phone: bool = False) -> Page:
        context = browser.new_context(
            base_url=server.url,
            locale="en-GB",
            java_script_enabled=False,
            viewport=PHONE if phone else DESKTOP,
        )
        context.set_default_timeout(10_000)
        contexts.append(context)
        page = context.new_page()
        LoginPage(page).open().sign_in(person.email, person.password)
        page.wait_for_url("**/")
        return page

    yield _open
    for context in contexts:
        context.close()


def _shot(page: Page, name: str) -> None:
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


def test_a_comment_with_a_picture_without_javascript(without_js, server, tmp_path: Path):  # type: ignore[no-untyped-def]
    post_id = server.create_post(
        author=ANNA, space_slug="engineering", title="Office move", body="Where do the plants go?"
    )
    picture = tmp_path / "plants.png"
    picture.write_bytes(png_bytes((300, 200), "green"))
    for phone in (False, True):
        page = without_js(BEN, phone=phone)
        page.goto(f"/posts/{post_id}")
        field = page.locator("#comment-body-files")
        expect(field).to_be_visible()
        _shot(page, f"{'phone' if phone else 'desktop'}-nojs-comment-form")
        if phone:
            continue
        page.locator("#comment-body").fill("By the window, like this:")
        field.set_input_files(picture)
        page.get_by_role("button", name="Comment", exact=True).click()
        shown = page.locator(".comment .prose a[href$='/plants.png'] img")
        expect(shown).to_be_visible()
        _shot(page, "desktop-nojs-comment-with-picture")


def test_a_refused_file_is_explained_beside_the_field(without_js, server, tmp_path: Path):  # type: ignore[no-untyped-def]
    post_id = server.create_post(
        author=ANNA, space_slug="engineering", title="Links", body="Share your bookmarks"
    )
    page_file = tmp_path / "bookmarks.png"
    page_file.write_bytes(b"<html><script>alert(1)</script></html>")
    for phone in (False, True):
        page = without_js(BEN, phone=phone)
        page.goto(f"/posts/{post_id}")
        page.locator("#comment-body").fill("My list is attached")
        page.locator("#comment-body-files").set_input_files(page_file)
        page.get_by_role("button", name="Comment", exact=True).click()
        expect(page.get_by_text("HTML pages cannot be uploaded.")).to_be_visible()
        expect(page.locator("#comment-body")).to_have_value("My list is attached")
        _shot(page, f"{'phone' if phone else 'desktop'}-nojs-comment-refused-file")


def test_the_event_and_protocol_forms_offer_the_field(without_js, server):  # type: ignore[no-untyped-def]
    from app.access.spaces import space_access_by_slug
    from app.people.service import user_by_email
    from app.protocols.service import create_protocol

    with server.session() as session:
        anna = user_by_email(session, ANNA.email)
        access = space_access_by_slug(session, anna, "engineering")
        protocol = create_protocol(
            session, access=access, title="Planning", template="blank", text="Notes:\n"
        )
        protocol_id = protocol.id
    for phone in (False, True):
        page = without_js(ANNA, phone=phone)
        size = "phone" if phone else "desktop"
        page.goto("/spaces/engineering/events/new")
        expect(page.locator("#ev-description-files")).to_be_visible()
        _shot(page, f"{size}-nojs-event-form")
        page.goto(f"/protocols/{protocol_id}/edit")
        expect(page.locator("#protocol-text-files")).to_be_visible()
        _shot(page, f"{size}-nojs-protocol-form")
