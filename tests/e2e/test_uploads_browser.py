"""Files in the composer: a pasted screenshot is uploaded with progress, shows in the text and
in the posted card; a picked document becomes an attachment card."""

import base64
import re

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import ANNA, BEN
from tests.e2e.pages import PostPage, SpacePage
from tests.uploads.factories import png_bytes

pytestmark = pytest.mark.browser

PASTE = """([textarea, data, name]) => {
  const bytes = Uint8Array.from(atob(data), (c) => c.charCodeAt(0));
  const transfer = new DataTransfer();
  transfer.items.add(new File([bytes], name, { type: "image/png" }));
  const event = new ClipboardEvent(
    "paste", { clipboardData: transfer, bubbles: true, cancelable: true }
  );
  document.querySelector(textarea).dispatchEvent(event);
}"""


def _paste_image(page: Page, selector: str, name: str) -> None:
    data = base64.b64encode(png_bytes((320, 200), "tomato")).decode()
    page.evaluate(PASTE, [selector, data, name])


def test_paste_a_screenshot_into_a_post(signed_in, server, tmp_path):  # type: ignore[no-untyped-def]
    page = signed_in(ANNA)
    space = SpacePage(page, "engineering").open()
    space.body_field.fill("Here is the bug: ")

    _paste_image(page, "#composer textarea[name=body]", "screenshot.png")

    expect(space.body_field).to_have_value(
        re.compile(r"Here is the bug: !\[screenshot\.png\]\(/uploads/[\w-]+/screenshot\.png\)"),
        timeout=15_000,
    )
    expect(page.locator("#composer .attach-status li")).to_contain_text("added")
    space.screenshot("desktop-composer-pasted-image")
    post = space.write_post("Rendering glitch")

    picture = page.locator(".prose img[src^='/uploads/']")
    expect(picture).to_be_visible()
    assert picture.evaluate("(img) => img.complete && img.naturalWidth") == 320
    post.screenshot("desktop-post-with-image")


def test_pick_a_document_for_a_comment(signed_in, server, tmp_path):  # type: ignore[no-untyped-def]
    post_id = server.create_post(
        author=BEN, space_slug="engineering", title="Quarterly review", body="Slides below."
    )
    page = signed_in(ANNA)
    post = PostPage(page, post_id).open()
    slides = tmp_path / "slides.pdf"
    slides.write_bytes(b"%PDF-1.4\n1 0 obj <<>> endobj\n%%EOF\n")

    page.locator("#comment-body-files").set_input_files(slides)

    expect(post.comment_field).to_have_value(
        re.compile(r'\[slides\.pdf\]\(/uploads/[\w-]+/slides\.pdf "PDF · 1 KB"\)'), timeout=15_000
    )
    before = post.comments.count()
    page.get_by_role("button", name="Comment", exact=True).click()
    expect(post.comments).to_have_count(before + 1)
    card = post.comments.last.locator("a.attachment-card")
    expect(card).to_have_text("slides.pdf")
    expect(card).to_have_attribute("title", "PDF · 1 KB")


def test_a_refused_file_says_why(signed_in, server, tmp_path):  # type: ignore[no-untyped-def]
    page = signed_in(ANNA)
    space = SpacePage(page, "engineering").open()
    fake = tmp_path / "report.png"
    fake.write_bytes(b"<html><script>alert(1)</script></html>")

    page.locator("#post-body-files").set_input_files(fake)

    expect(page.locator("#composer .attach-status .field-error")).to_contain_text(
        "HTML pages cannot be uploaded."
    )
    expect(space.body_field).to_have_value("")


def test_on_a_phone(signed_in, server):  # type: ignore[no-untyped-def]
    page = signed_in(ANNA, phone=True)
    space = SpacePage(page, "engineering").open()
    _paste_image(page, "#composer textarea[name=body]", "photo.png")
    expect(space.body_field).to_have_value(re.compile(r"/uploads/"), timeout=15_000)
    space.screenshot("phone-composer-pasted-image")


def test_a_host_removes_a_file_and_the_admin_sees_storage(signed_in, server):  # type: ignore[no-untyped-def]
    page = signed_in(ANNA)  # hosts Engineering and is a site admin
    space = SpacePage(page, "engineering").open()
    _paste_image(page, "#composer textarea[name=body]", "whiteboard.png")
    expect(space.body_field).to_have_value(re.compile(r"whiteboard\.png\)"), timeout=15_000)
    space.write_post("Whiteboard from today")
    picture = page.locator(".prose a[href*='whiteboard'] img")
    expect(picture).to_be_visible()
    post_url = page.url

    page.goto(f"{server.url}/spaces/engineering/files")
    row = page.locator(".file-row", has_text="whiteboard.png")
    expect(row).to_be_visible()
    SpacePage(page, "engineering").screenshot("desktop-space-files")
    on_phone = signed_in(ANNA, phone=True)
    on_phone.goto(f"{server.url}/spaces/engineering/files")
    phone_row = on_phone.locator(".file-row", has_text="whiteboard.png")
    expect(phone_row.locator(".file-thumb")).to_be_visible()
    SpacePage(on_phone, "engineering").screenshot("phone-space-files")
    row.get_by_role("button", name="Remove").click()
    expect(page.locator(".file-row", has_text="whiteboard.png")).to_have_count(0)
    page.goto(post_url)
    gone = page.locator(".prose a[href*='whiteboard'] img")
    assert gone.evaluate("(img) => img.naturalWidth") == 0

    page.goto(f"{server.url}/admin/uploads")
    expect(page.get_by_role("heading", name="Storage used")).to_be_visible()
    SpacePage(page, "engineering").screenshot("desktop-admin-files")
    phone = signed_in(ANNA, phone=True)
    phone.goto(f"{server.url}/admin/uploads")
    SpacePage(phone, "engineering").screenshot("phone-admin-files")


PASTE_IN_EDITOR = """([data, name]) => {
  const bytes = Uint8Array.from(atob(data), (c) => c.charCodeAt(0));
  const transfer = new DataTransfer();
  transfer.items.add(new File([bytes], name, { type: "image/png" }));
  const editor = document.getElementById("protocol-editor");
  const content = editor.shadowRoot.querySelector(".cm-content");
  content.dispatchEvent(
    new ClipboardEvent("paste", { clipboardData: transfer, bubbles: true, composed: true,
                                  cancelable: true })
  );
}"""


def test_paste_a_picture_into_the_live_protocol(signed_in, server):  # type: ignore[no-untyped-def]
    from app.access.spaces import space_access_by_slug
    from app.people.service import user_by_email
    from app.protocols.service import create_protocol

    with server.session() as session:
        anna = user_by_email(session, ANNA.email)
        access = space_access_by_slug(session, anna, "engineering")
        protocol = create_protocol(
            session, access=access, title="Retro with pictures", template="blank", text="Board:\n"
        )
        protocol_id = protocol.id
    page = signed_in(ANNA)
    page.goto(f"{server.url}/protocols/{protocol_id}")
    page.wait_for_selector("#protocol-editor .cm-content")
    page.wait_for_function("() => window.agoraProtocol && window.agoraProtocol.provider.synced")

    data = base64.b64encode(png_bytes((120, 80), "navy")).decode()
    page.evaluate(PASTE_IN_EDITOR, [data, "board.png"])

    page.wait_for_function(
        "() => /!\\[board\\.png\\]\\(\\/uploads\\/[\\w-]+\\/board\\.png\\)/"
        ".test(window.agoraProtocol.ytext.toString())",
        timeout=15_000,
    )
    picture = page.locator("#protocol-preview a[href*='board.png'] img")
    expect(picture).to_be_visible(timeout=15_000)
    assert picture.evaluate("(img) => img.complete && img.naturalWidth") == 120
