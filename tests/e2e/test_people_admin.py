"""The admins' people pages in a real browser: search, deactivate, the audit log, CSV import."""

import re

import pytest
from playwright.sync_api import expect

from app.people.service import create_user
from tests.e2e.conftest import ANNA
from tests.e2e.pages import BasePage

pytestmark = pytest.mark.browser


class PeopleAdminPage(BasePage):
    path = "/admin/people"

    def search(self, text: str) -> None:
        with self.page.expect_response(lambda r: "/admin/people?q=" in r.url):
            self.page.get_by_label("Search by name or email").fill(text)

    def row(self, name: str):  # type: ignore[no-untyped-def]
        return self.page.locator("#people-list tr", has_text=name)


def test_an_admin_finds_and_deactivates_someone_and_reads_it_in_the_audit_log(
    signed_in, server
) -> None:
    with server.session() as session:
        create_user(session, email="gus@example.com", display_name="Gus Gone", password="x" * 12)
    page = signed_in(ANNA)
    people = PeopleAdminPage(page).open()

    people.search("gus@")
    expect(page.locator("#people-list tbody tr")).to_have_count(1)
    row = people.row("Gus Gone")
    expect(row).to_contain_text("Password")
    expect(row).to_contain_text("never")
    row.get_by_role("button", name="Deactivate").click()
    people.arrived()
    expect(people.row("Gus Gone")).to_contain_text("Deactivated")

    page.get_by_role("link", name="Audit log").click()
    audit = BasePage(page).arrived()
    expect(audit.heading).to_have_text("Audit log")
    entry = page.locator("#audit-list tr", has_text="user.deactivate").first
    expect(entry).to_contain_text("Gus Gone")
    expect(entry).to_contain_text("Anna Admin")
    expect(entry).to_contain_text("127.0.0.1")


def test_an_admin_imports_people_after_a_preview(signed_in, tmp_path) -> None:
    page = signed_in(ANNA)
    PeopleAdminPage(page).open()
    file = tmp_path / "people.csv"
    file.write_text("email,name\nhal@example.com,Hal Imported\nnope,Nobody\n")
    page.get_by_label("CSV file").set_input_files(str(file))
    page.get_by_role("button", name="Check the file").click()
    preview = BasePage(page).arrived()
    expect(preview.heading).to_have_text("Import people")
    expect(page.get_by_role("alert")).to_contain_text("nobody is imported")
    expect(page.locator("tr", has_text="Nobody")).to_contain_text("Enter a valid email address")

    file.write_text("email,name\nhal@example.com,Hal Imported\n")
    page.goto("/admin/people")
    page.get_by_label("CSV file").set_input_files(str(file))
    page.get_by_role("button", name="Check the file").click()
    BasePage(page).arrived()
    page.get_by_role("button", name="Import 1 person").click()
    BasePage(page).arrived()
    expect(page.get_by_role("status")).to_contain_text("Imported 1 person")
    link = page.get_by_label("Invitation link for hal@example.com").input_value()
    assert "/invite/" in link


def test_a_large_import_shows_its_progress_until_done(signed_in, tmp_path) -> None:
    page = signed_in(ANNA)
    PeopleAdminPage(page).open()
    file = tmp_path / "many.csv"
    people = [f"bulk{n:03d}@example.com,Bulk Person {n:03d}" for n in range(250)]
    file.write_text("email,name\n" + "\n".join(people) + "\n")
    page.get_by_label("CSV file").set_input_files(str(file))
    page.get_by_role("button", name="Check the file").click()
    BasePage(page).arrived()
    page.get_by_role("button", name="Import 250 people").click()
    page.wait_for_url("**/admin/people/import/*")
    # The bar asks for batch after batch by itself, until everyone is in.
    expect(page.get_by_role("status")).to_contain_text("Done: 250 people imported.", timeout=60_000)
    expect(page.locator("#import-bar")).to_have_attribute("value", "250")
    progress = BasePage(page).arrived()
    expect(page.get_by_label("Invitation link for bulk249@example.com")).to_have_value(
        re.compile(r"/invite/")
    )
    progress.screenshot("people-import-progress")
    page.set_viewport_size({"width": 390, "height": 844})
    page.reload()
    BasePage(page).arrived().screenshot("people-import-progress-phone")


def test_an_admin_erases_someone_after_reading_what_happens(signed_in, server) -> None:
    with server.session() as session:
        create_user(session, email="eve@example.com", display_name="Eve Erased", password="x" * 12)
    page = signed_in(ANNA)
    people = PeopleAdminPage(page).open()
    people.search("eve@")
    people.row("Eve Erased").get_by_role("link", name="Erase…").click()
    confirm = BasePage(page).arrived()
    expect(confirm.heading).to_have_text("Erase Eve Erased")
    expect(page.locator("main")).to_contain_text("cannot be undone")
    confirm.screenshot("people-erase-confirm")
    page.get_by_label("Delete them").check()
    page.get_by_label("Type eve@example.com to confirm").fill("eve@example.com")
    page.get_by_role("button", name="Erase Eve Erased for good").click()
    after = PeopleAdminPage(page).arrived()
    expect(page.get_by_role("status")).to_contain_text("The person was erased.")
    after.search("eve@")
    expect(page.locator("#people-list")).to_contain_text("No one matches.")
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto("/admin/audit?action=user.erase")
    BasePage(page).arrived().screenshot("people-erase-audit-phone")
    expect(page.locator("#audit-list tr", has_text="user.erase").first).to_contain_text(
        "content=delete"
    )
