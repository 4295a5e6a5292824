"""Markdown to safe HTML: markdown-it-py renders, nh3 keeps only an allow-list.

@mentions become profile links while rendering, so code spans and blocks keep their '@' as text.
"""

import re
from collections.abc import Collection

import nh3
from markdown_it import MarkdownIt
from markdown_it.rules_core import StateCore
from markdown_it.rules_inline import StateInline
from markdown_it.token import Token
from mdit_py_plugins.tasklists import tasklists_plugin

HANDLE_RE = re.compile(r"@([a-z0-9](?:[a-z0-9._-]{0,38}[a-z0-9])?)", re.IGNORECASE)

ALLOWED_TAGS = {
    "a",
    "abbr",
    "b",
    "blockquote",
    "br",
    "code",
    "del",
    "em",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "hr",
    "i",
    "img",
    "input",
    "label",
    "li",
    "ol",
    "p",
    "pre",
    "s",
    "strong",
    "sub",
    "sup",
    "table",
    "tbody",
    "td",
    "th",
    "thead",
    "tr",
    "ul",
}
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title", "class"},
    "abbr": {"title"},
    "code": {"class"},
    "img": {"src", "alt", "title", "loading"},
    "input": {"type", "checked", "disabled"},
    "li": {"class"},
    "td": {"align"},
    "th": {"align"},
}


def _mention_rule(state: StateInline, silent: bool) -> bool:
    pos = state.pos
    if state.src[pos] != "@":
        return False
    # An '@' inside a word (an email address) is not a mention.
    if pos > 0 and (state.src[pos - 1].isalnum() or state.src[pos - 1] in "._-"):
        return False
    match = HANDLE_RE.match(state.src, pos)
    if match is None:
        return False
    handle = match.group(1).lower()
    known: Collection[str] = state.env.get("known_handles", ())
    if handle not in known:
        return False
    if not silent:
        token = state.push("link_open", "a", 1)
        token.attrs = {"href": f"/people/@{handle}", "class": "mention"}
        text = state.push("text", "", 0)
        text.content = f"@{handle}"
        state.push("link_close", "a", -1)
    state.pos = match.end()
    return True


def _demote_headings(state: StateCore) -> None:
    """`# Agenda` becomes <h2>: every page that shows a post or protocol has its own <h1> (the
    title), and a second one breaks the page outline screen readers navigate by."""
    for token in state.tokens:
        if token.type in ("heading_open", "heading_close"):
            token.tag = f"h{min(int(token.tag[1]) + 1, 6)}"


# Uploaded files (app/uploads): the only pictures a text may show, and the links that render as
# attachment cards (the composer puts "type · size" into the link's title).
UPLOADED_FILE = re.compile(r"^/uploads/[A-Za-z0-9_-]{16,32}/[\w\-. %]+$")
# Uploaded still pictures have a size made once on upload for texts (app.uploads.media: at most
# 1280 px wide, sharp in a desktop column and on a 3x phone, never enlarged): a text shows that,
# and links the picture to the file itself. GIFs stay as they are (animations). No srcset: its
# width descriptors would have to name each picture's real width, which a stored text does not
# know, and a wrong one shrinks the picture on screen.
SIZED_PICTURE = re.compile(r"^(/uploads/[A-Za-z0-9_-]{16,32})/[\w\-. %]+\.(?:png|jpe?g|webp)$")


def _uploads(state: StateCore) -> None:
    """Pictures load lazily in their size for texts; links to uploaded files become cards."""
    for block in state.tokens:
        if not block.children:
            continue
        children: list[Token] = []
        in_link = 0
        for token in block.children:
            if token.type == "link_open":
                in_link += 1
                if _is_uploaded_file(str(token.attrGet("href"))):
                    token.attrSet("class", "attachment-card")
            elif token.type == "link_close":
                in_link -= 1
            elif token.type == "image":
                token.attrSet("loading", "lazy")
                original = str(token.attrGet("src"))
                sized = SIZED_PICTURE.match(original)
                if sized and _is_uploaded_file(original):
                    token.attrSet("src", f"{sized.group(1)}/large")
                    if not in_link:
                        children.extend(_linked(token, original))
                        continue
            children.append(token)
        block.children = children


def _linked(image: Token, href: str) -> list[Token]:
    opening = Token("link_open", "a", 1, attrs={"href": href, "class": "picture-link"})
    return [opening, image, Token("link_close", "a", -1)]


def _is_uploaded_file(url: str) -> bool:
    return bool(UPLOADED_FILE.match(url)) and ".." not in url


def _only_uploaded_pictures(tag: str, attribute: str, value: str) -> str | None:
    # A picture from anywhere else would tell its server who read the text, and when.
    if tag == "img" and attribute == "src" and not _is_uploaded_file(value):
        return None
    return value


def _build() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"linkify": True, "typographer": False, "html": False})
    md.enable(["table", "strikethrough", "linkify"])
    md.inline.ruler.before("emphasis", "mention", _mention_rule)
    md.core.ruler.push("demote_headings", _demote_headings)
    md.core.ruler.push("uploads", _uploads)
    # Read-only checkboxes, each wrapped in a <label> with its text: a named control without ids
    # that could clash when several documents share a page.
    md.use(tasklists_plugin, label=True)
    return md


_md = _build()


def mentioned_handles(source: str) -> set[str]:
    """Every @handle-shaped word in the source (the caller checks which people exist)."""
    found = set()
    for match in HANDLE_RE.finditer(source):
        start = match.start()
        if start > 0 and (source[start - 1].isalnum() or source[start - 1] in "._-"):
            continue
        found.add(match.group(1).lower())
    return found


def render_markdown(source: str, *, known_handles: Collection[str] = ()) -> str:
    """Markdown source to sanitised HTML; links get rel=noopener and only safe schemes survive."""
    html = _md.render(source, {"known_handles": set(known_handles)})
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        attribute_filter=_only_uploaded_pictures,
        link_rel="noopener noreferrer nofollow",
    )
