"""Decisions and action items parsed from lines as people (and editors' list continuation) type
them: doubled markers, headings on list items, empty items."""

import time

from app.protocols.actions import checkbox_edit, parse_action_items, parse_decisions

# What the live editor used to produce from a protocol typed with the keyboard (issue 15).
MANGLED = (
    "# Relay\n\n"
    "## Decisions\n\n"
    "- We run the company relay\n"
    "- - We pay the entry fee\n"
    "- \n"
    "- ## Action items\n"
    "- - [ ] @eva.mueller Register both teams (due 2026-12-15)\n"
    "- [ ] - [ ] @ben.okafor Book the bus (due 2026-12-16)\n"
    "- [ ] ## Notes\n"
    "- [ ] \n"
)


def test_doubled_markers_still_give_the_decisions_meant():
    assert parse_decisions(MANGLED) == ["We run the company relay", "We pay the entry fee"]


def test_doubled_markers_still_give_the_action_items_meant():
    items = parse_action_items(MANGLED)
    assert [(i.handle, i.text, str(i.due)) for i in items] == [
        ("eva.mueller", "@eva.mueller Register both teams (due 2026-12-15)", "2026-12-15"),
        ("ben.okafor", "@ben.okafor Book the bus (due 2026-12-16)", "2026-12-16"),
    ]


def test_ticking_an_item_with_doubled_markers_ticks_the_box_next_to_its_text():
    items = parse_action_items(MANGLED)
    (start, end, mark), *rest = checkbox_edit(MANGLED, items[1].key, True)
    ticked = MANGLED[:start] + mark + MANGLED[end:]
    assert not rest
    assert "- [ ] - [x] @ben.okafor Book the bus" in ticked
    assert parse_action_items(ticked)[1].done


def test_a_heading_typed_on_a_list_item_ends_the_decisions():
    text = "## Decisions\n- Keep Monday\n- ## Action items\n- Not a decision\n"
    assert parse_decisions(text) == ["Keep Monday"]


def test_empty_items_and_empty_boxes_are_not_decisions():
    text = "## Decisions\n\n- \n- [ ]\n1. \n- [x] \n* Real one\n"
    assert parse_decisions(text) == ["Real one"]
    assert parse_action_items(text) == []


def test_ordinary_protocols_parse_as_before():
    text = (
        "## Decisions\n\n- Keep the Monday slot\n1. Move the retro\n\n"
        "## Action items\n\n- [ ] @anna Prepare the budget (due 2026-12-15)\n"
        "  * [x] Nested and done\n"
    )
    assert parse_decisions(text) == ["Keep the Monday slot", "Move the retro"]
    items = parse_action_items(text)
    assert [(i.handle, i.done, i.text) for i in items] == [
        ("anna", False, "@anna Prepare the budget (due 2026-12-15)"),
        (None, True, "Nested and done"),
    ]


def test_long_lines_of_markers_and_spaces_parse_quickly():
    lines = ["-     " * 5000 + "x", "- [ ]    " * 3000, "1.  " * 5000, "- " * 20000 + "#"]
    started = time.perf_counter()
    for line in lines:
        parse_action_items(line)
        parse_decisions("## Decisions\n" + line)
    assert time.perf_counter() - started < 2
