"""Protocol templates in the reader's language, task lines as checkboxes, "My action items"
showing the task beside (not inside) its assignee and due date, and the /me/ address."""

import re

import pytest

from app.core.i18n import set_locale
from app.events.protocol import protocol_markdown
from app.protocols import service, summary
from app.protocols.item_text import item_label
from app.protocols.queries import action_items_of
from tests.factories import make_space, make_user

ENGLISH_HEADINGS = ("Attendees", "Agenda", "Notes", "Decisions", "Action items", "Date", "Place")


@pytest.fixture
def german():
    set_locale("de")
    yield
    set_locale("en")


def test_a_german_member_starts_a_meeting_protocol_in_german(session, login):
    host = make_user(session, locale="de")
    space = make_space(session, host=host)
    created = login(host).form(
        f"/spaces/{space.slug}/protocols", {"title": "Wochenrunde", "template": "meeting"}
    )
    assert created.status_code == 303
    protocol_id = int(created.headers["location"].rsplit("/", 1)[1])
    text = service.live_text(protocol_id)[0]
    for heading in ("Teilnehmende", "Tagesordnung", "Notizen", "Beschlüsse", "Aufgaben"):
        assert f"## {heading}\n" in text
    assert not [word for word in ENGLISH_HEADINGS if word in text], text
    assert "- [ ] @name Was zu tun ist (fällig JJJJ-MM-TT)\n" in text


def test_every_template_speaks_german_in_german(german):
    for template in service.TEMPLATES:
        text = service.template_text(template, "T")
        assert not [word for word in ENGLISH_HEADINGS if f"## {word}" in text], template


def test_templates_keep_their_english_shape():
    assert service.template_text("meeting", "Weekly") == (
        "# Weekly\n\n## Attendees\n\n- \n\n## Agenda\n\n1. \n\n## Notes\n\n\n"
        "## Decisions\n\n- \n\n## Action items\n\n- [ ] @name What needs doing (due YYYY-MM-DD)\n"
    )
    assert service.template_text("blank", "Weekly") == "# Weekly\n\n"


def test_the_event_protocol_template_has_no_english_words_in_german(german):
    text = protocol_markdown(
        title="Protokoll: X", when="Di", place="Raum 1", attendees=[], agenda=["A"]
    )
    assert "**Datum:** Di" in text
    assert "**Ort:** Raum 1" in text
    assert "## Teilnehmende\n\n- (noch niemand)\n" in text
    assert "## Tagesordnung\n\n1. A\n" in text
    assert not [word for word in ENGLISH_HEADINGS if word in text], text


def test_task_lines_render_as_checkboxes_not_brackets(session, login, make_protocol):
    host = make_user(session)
    space = make_space(session, host=host)
    protocol = make_protocol(
        host, space, text="# Weekly\n\n- [ ] Book the room\n- [x] Send the invite\n- Plain point\n"
    )
    for path in ("", "/preview", "/print"):
        html = login(host).get(f"/protocols/{protocol.id}{path}").text
        assert "[ ]" not in html and "[x]" not in html, path
        boxes = re.findall(r"<label><input[^>]*type=\"checkbox\"[^>]*>\s*([^<]+)</label>", html)
        assert boxes == ["Book the room", "Send the invite"], path
    preview = login(host).get(f"/protocols/{protocol.id}/preview").text
    assert preview.count('checked="checked"') == 1
    assert preview.count('disabled="disabled"') == 2


def test_my_action_items_show_the_task_beside_its_due_date(session, login, make_protocol):
    host, anna = make_user(session), make_user(session)
    space = make_space(session, host=host, members=(anna,))
    protocol = make_protocol(
        host, space, text=f"# Weekly\n\n- [ ] @{anna.handle} Prepare the budget (due 2026-12-15)\n"
    )
    mine = login(anna).get("/action-items").text
    assert '<span class="item-text">Prepare the budget</span>' in mine
    assert '<time datetime="2026-12-15">15 Dec 2026</time>' in mine  # a date, not an ISO string
    assert f"@{anna.handle} Prepare" not in mine
    assert "(due" not in mine
    page = login(anna).get(f"/protocols/{protocol.id}").text
    panel = page[page.index('id="items-heading"') :]
    assert '<span class="item-text">Prepare the budget</span>' in panel
    assert f'<span class="meta">@{anna.handle}</span>' in panel  # who it is for, beside it


@pytest.mark.parametrize(
    ("text", "label"),
    [
        ("@anna Prepare the budget (due 2026-12-15)", "Prepare the budget"),
        ("@anna: Book the room (due: 2026-12-15) today", "Book the room today"),
        ("Ask @ben about the budget (fällig 2026-12-15)", "Ask @ben about the budget"),
        ("@anna.b, bis Freitag (bis 2026-12-15)", "bis Freitag"),
        ("@anna", "@anna"),
        ("@annabel", "@annabel"),
        ("Plain task", "Plain task"),
    ],
)
def test_item_label_drops_the_opening_assignee_and_the_due_note(text, label):
    assert item_label(text) == label


def test_german_due_words_set_the_due_date(session, make_protocol):
    host = make_user(session)
    space = make_space(session, host=host)
    protocol = make_protocol(
        host, space, text="- [ ] Raum buchen (fällig 2026-12-15)\n- [ ] Einladen (bis 2026-12-16)\n"
    )
    dues = [str(item.due) for item, _handle in action_items_of(session, protocol_id=protocol.id)]
    assert dues == ["2026-12-15", "2026-12-16"]


def test_my_action_items_also_answer_at_the_api_address(session, login):
    anna = make_user(session)
    client = login(anna)
    moved = client.get("/me/action-items", follow_redirects=False)
    assert moved.status_code == 308
    assert moved.headers["location"] == "/action-items"
    done = client.get("/me/action-items?done=true", follow_redirects=False)
    assert done.headers["location"] == "/action-items?done=true"
    assert client.get("/me/action-items").status_code == 200


def test_the_summary_post_speaks_the_posters_language(german):
    text = summary.summary_markdown("Wochenrunde", "## Beschlüsse\n\n- Montag bleibt\n", 7)
    assert text == (
        "Zusammenfassung des Protokolls [Wochenrunde](/protocols/7).\n\n"
        "**Beschlüsse**\n\n- Montag bleibt\n\n**Aufgaben**\n\n- (keine)"
    )


def test_ticking_in_the_protocol_panel_keeps_the_row_as_the_panel_shows_it(
    session, login, make_protocol
):
    host, anna = make_user(session), make_user(session)
    space = make_space(session, host=host, members=(anna,))
    protocol = make_protocol(
        host, space, text=f"- [ ] @{anna.handle} Order chairs (due 2026-12-15)\n"
    )
    item = action_items_of(session, protocol_id=protocol.id)[0][0]
    client = login(anna)
    page = client.get(f"/protocols/{protocol.id}").text
    assert 'name="shown_in" value="protocol"' in page
    in_panel = client.htmx(
        "POST",
        f"/action-items/{item.id}/toggle",
        target=f"action-item-{item.id}",
        data={"done": "true", "shown_in": "protocol"},
    )
    assert "is-done" in in_panel.text
    assert f'<span class="meta">@{anna.handle}</span>' in in_panel.text
    assert f'href="/protocols/{protocol.id}"' not in in_panel.text
    on_my_list = client.htmx(
        "POST",
        f"/action-items/{item.id}/toggle",
        target=f"action-item-{item.id}",
        data={"done": "false"},
    )
    assert "is-done" not in on_my_list.text
    assert f'href="/protocols/{protocol.id}"' in on_my_list.text
    assert 'name="shown_in"' not in on_my_list.text


def test_a_due_date_reads_in_the_readers_language(session, login, make_protocol):
    host, anna = make_user(session), make_user(session, locale="de")
    space = make_space(session, host=host, members=(anna,))
    make_protocol(
        host, space, text=f"# W\n\n- [ ] @{anna.handle} Saal buchen (fällig 2026-12-15)\n"
    )

    mine = login(anna).get("/action-items").text

    assert '<time datetime="2026-12-15">15. Dez. 2026</time>' in mine
