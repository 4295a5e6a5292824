"""Markdown to plain text (calendar descriptions)."""

from app.posts.plain_text import markdown_to_text


def test_structure_survives_as_lines_and_markers_go():
    source = (
        "# Plan\n\nSee <https://a.example> and [b](https://b.example).\n\n"
        "1. first\n2. second\n   - inner\n\n> quoted **words**\n\n```\nraw *code*\n```\n"
    )
    assert markdown_to_text(source) == (
        "Plan\n\nSee https://a.example and b (https://b.example).\n\n"
        "1. first\n2. second\n  - inner\n\nquoted words\n\nraw *code*"
    )


def test_raw_html_is_text_and_empty_is_empty():
    assert markdown_to_text("<b>hi</b>") == "<b>hi</b>"
    assert markdown_to_text("   \n") == ""
