"""Writing a protocol with the keyboard, the way people type Markdown: the editor's list
continuation must not double markers, swallow headings into lists or keep a list going."""

import pytest
from sqlmodel import Session

from app.core.db import get_engine
from app.protocols import service
from app.spaces.access import access_for
from tests.e2e.test_protocols_browser import (  # noqa: F401 (server: the fixture)
    SHOTS,
    ProtocolPage,
    server,
    wait_until,
)
from tests.factories import make_space, make_user

pytestmark = pytest.mark.browser
ON_SERVER = "t => document.getElementById('protocol-preview').textContent.includes(t)"


def test_a_protocol_typed_by_habit_keeps_headings_decisions_and_action_items(server, browser):  # noqa: F811
    with Session(get_engine(), expire_on_commit=False) as session:
        host = make_user(session, name="Hanna Host")
        eva = make_user(session, name="Eva Müller", email="eva.mueller@example.com")
        ben = make_user(session, name="Ben Okafor", email="ben.okafor@example.com")
        space = make_space(session, host=host, members=(eva, ben), name="Relay team")
        protocol = service.create_protocol(
            session, access=access_for(session, host, space), title="Relay", text="# Relay\n\n"
        )
        session.commit()
    SHOTS.mkdir(exist_ok=True)
    context = browser.new_context()
    try:
        hanna = ProtocolPage(context.new_page(), server.url)
        hanna.sign_in(host.email)
        hanna.open(protocol.id)
        # Typed as people do: their own "- " and "- [ ] " on lines the editor already
        # continued, Enter twice to leave a list, and a heading right after an item.
        hanna.type_at_end(
            "## Decisions\n"
            "- We run the company relay\n"
            "- We pay the entry fee\n"
            "\n"
            "## Action items\n"
            f"- [ ] @{eva.handle} Register both teams (due 2026-12-15)\n"
            f"- [ ] @{ben.handle} Book the bus (due 2026-12-16)\n"
            "## Notes\n"
            "All agreed.\n"
        )
        hanna.wait_for_text("All agreed.\n")
        assert hanna.text() == (
            "# Relay\n\n"
            "## Decisions\n"
            "- We run the company relay\n"
            "- We pay the entry fee\n"
            "## Action items\n"
            f"- [ ] @{eva.handle} Register both teams (due 2026-12-15)\n"
            f"- [ ] @{ben.handle} Book the bus (due 2026-12-16)\n"
            "## Notes\n"
            "All agreed.\n"
        )

        wait_until(hanna.page, ON_SERVER, "All agreed.")  # the server's preview has it all
        hanna.page.reload()
        decisions = hanna.page.locator("section[aria-labelledby=decisions-heading] li")
        assert decisions.all_inner_texts() == ["We run the company relay", "We pay the entry fee"]
        items = hanna.page.locator("section[aria-labelledby=items-heading] .item-text")
        assert len(items.all_inner_texts()) == 2
        headings = hanna.page.locator("#protocol-preview h3").all_inner_texts()
        assert headings == ["Decisions", "Action items", "Notes"]
        boxes = hanna.page.locator("#protocol-preview label:has(input[type=checkbox])")
        assert [box.strip() for box in boxes.all_inner_texts()] == [
            f"@{eva.handle} Register both teams (due 2026-12-15)",
            f"@{ben.handle} Book the bus (due 2026-12-16)",
        ]
        assert "[ ]" not in hanna.page.locator("#protocol-preview").inner_text()
        hanna.page.screenshot(path=str(SHOTS / "protocol-typed.png"), full_page=True)
    finally:
        context.close()

    evas = browser.new_context()
    try:
        page = evas.new_page()
        ProtocolPage(page, server.url).sign_in(eva.email)
        page.goto(f"{server.url}/me/action-items")
        assert page.url == f"{server.url}/action-items"
        assert page.locator(".action-items .item-text").all_inner_texts() == ["Register both teams"]
        page.goto(f"{server.url}/notifications")
        assert "Register both teams" in page.locator("main").inner_text()
    finally:
        evas.close()


def test_a_german_team_writes_its_protocol_in_german(server, browser):  # noqa: F811
    with Session(get_engine(), expire_on_commit=False) as session:
        host = make_user(session, name="Hanna Host", locale="de")
        eva = make_user(session, name="Eva Müller", email="eva.m@example.com", locale="de")
        space = make_space(session, host=host, members=(eva,), name="Staffelteam")
        session.commit()
    context = browser.new_context()
    try:
        hanna = ProtocolPage(context.new_page(), server.url)
        hanna.sign_in(host.email)
        page = hanna.page
        page.goto(f"{server.url}/spaces/{space.slug}/protocols")
        page.get_by_label("Titel", exact=True).press_sequentially("Wochenrunde")
        page.get_by_label("Vorlage").select_option(label="Besprechung")
        page.get_by_role("button", name="Anlegen", exact=True).click()
        page.wait_for_url(f"{server.url}/protocols/*")
        hanna.open(int(page.url.rsplit("/", 1)[1]))
        text = hanna.text()
        assert "## Teilnehmende\n" in text and "## Tagesordnung\n" in text, text
        assert "## Beschlüsse\n" in text and "## Aufgaben\n" in text, text
        for english in ("Attendees", "Agenda", "Notes", "Decisions", "Action items", "due"):
            assert english not in text
        assert page.get_by_role("textbox", name="Protokolltext").count() == 1
        page.wait_for_selector("#protocol-presence li:has-text('Hanna Host (du)')")

        hanna.type_at_end(f"- [ ] @{eva.handle} Anmeldung abschicken (fällig 2026-12-15)")
        wait_until(page, ON_SERVER, "Anmeldung abschicken (fällig 2026-12-15)")
        page.reload()
        items = page.locator("section[aria-labelledby=items-heading] .action-item")
        assert items.last.locator(".item-text").inner_text() == "Anmeldung abschicken"
        assert "fällig 15. Dez. 2026" in items.last.inner_text()  # a German date, not ISO
        preview = page.locator("#protocol-preview")
        assert preview.locator("input[type=checkbox]").count() == 2  # the example and Eva's
        assert "[ ]" not in preview.inner_text()
        page.screenshot(path=str(SHOTS / "protocol-german.png"), full_page=True)
    finally:
        context.close()
