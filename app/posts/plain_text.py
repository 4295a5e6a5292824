"""Markdown to plain text, for places that cannot show HTML (calendar entries, mail subjects).

Walks markdown-it's tokens rather than stripping characters: `**company relay**` loses its
asterisks but a literal `2 * 3` keeps its one, list items keep a dash, and a link keeps its
address in brackets so nothing the writer linked is lost.
"""

import re

from markdown_it import MarkdownIt
from markdown_it.token import Token

_md = MarkdownIt("commonmark", {"html": False}).enable(["table", "strikethrough"])
_MANY_BLANK_LINES = re.compile(r"\n{3,}")


def _inline(children: list[Token] | None) -> str:
    parts: list[str] = []
    links: list[tuple[str, int]] = []  # (address, where the link's text starts)
    for token in children or ():
        if token.type in ("text", "code_inline"):
            parts.append(token.content)
        elif token.type in ("softbreak", "hardbreak"):
            parts.append("\n")
        elif token.type == "image":
            parts.append(token.content)
        elif token.type == "link_open":
            links.append((str(token.attrGet("href") or ""), len(parts)))
        elif token.type == "link_close" and links:
            href, start = links.pop()
            text = "".join(parts[start:])
            if href and href not in (text, f"mailto:{text}"):
                parts.append(f" ({href})")
    return "".join(parts)


def markdown_to_text(source: str) -> str:
    """The text a reader of the rendered Markdown sees, laid out with line breaks."""
    out: list[str] = []
    lists: list[int | None] = []  # per open list: the next number, or None for bullets
    for token in _md.parse(source):
        kind = token.type
        if kind == "bullet_list_open":
            lists.append(None)
        elif kind == "ordered_list_open":
            lists.append(int(token.attrGet("start") or 1))
        elif kind in ("bullet_list_close", "ordered_list_close"):
            lists.pop()
            out.append("" if lists else "\n")
        elif kind == "list_item_open":
            number = lists[-1]
            out.append("  " * (len(lists) - 1) + ("- " if number is None else f"{number}. "))
            if number is not None:
                lists[-1] = number + 1
        elif kind == "inline":
            out.append(_inline(token.children))
        elif kind in ("paragraph_close", "heading_close"):
            # Paragraphs inside a tight list are hidden: one line each, no blank line between.
            out.append("\n" if token.hidden or lists else "\n\n")
        elif kind in ("fence", "code_block"):
            out.append(token.content + "\n")
        elif kind in ("th_close", "td_close"):
            out.append("\t")
        elif kind in ("tr_close", "table_close", "blockquote_close", "hr"):
            out.append("\n")
    return _MANY_BLANK_LINES.sub("\n\n", "".join(out)).strip()
