"""Page objects for faces: the settings page's picture form and a space's header image form."""

from playwright.sync_api import Locator, expect

from tests.e2e.pages import BasePage


class PictureSettingsPage(BasePage):
    path = "/settings"

    @property
    def picture(self) -> Locator:
        return self.page.locator("#picture .face-l")

    def upload(self, name: str, data: bytes, mime_type: str) -> None:
        """Choose the file in the plain file field and send the form (no script involved)."""
        self.page.get_by_label("Choose a picture").set_input_files(
            {"name": name, "mimeType": mime_type, "buffer": data}
        )
        with self.page.expect_navigation():
            self.page.get_by_role("button", name="Upload picture").click()
        self.arrived()

    @property
    def error(self) -> Locator:
        return self.page.locator("#file-error")


class SpaceSettingsPage(BasePage):
    def __init__(self, page, slug: str) -> None:  # type: ignore[no-untyped-def]
        super().__init__(page)
        self.path = f"/spaces/{slug}/edit"

    def upload_header(self, name: str, data: bytes, mime_type: str) -> None:
        self.page.get_by_label("Choose an image").set_input_files(
            {"name": name, "mimeType": mime_type, "buffer": data}
        )
        with self.page.expect_navigation():
            self.page.get_by_role("button", name="Upload header image").click()
        self.arrived()


def face_beside(scope: Locator, name: str) -> Locator:
    """The picture inside the link that names the person."""
    return scope.locator("a.person", has_text=name).locator("img.face")


def loaded(image: Locator) -> bool:
    """The browser fetched and decoded the image (not a broken icon)."""
    expect(image).to_be_visible()
    return bool(image.evaluate("img => img.complete && img.naturalWidth > 0"))
