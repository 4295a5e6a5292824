"""Rendered HTML that every reader sees alike, kept per process and keyed by all it shows.

Most of a post card (author and badges, space, title, text, time) looks the same to every
reader in one language and time zone; rendering it was most of a stream page's template work.
The key stands for everything the fragment shows (a frozen view-model, app.web.views, which is
also all its macro is given), so an edited post, a renamed person or a new badge simply makes a
new key: nothing is invalidated, nothing goes stale, and each process keeps its own copy (keys no
page asks for any more fall out of the LRU). Whether a reader may see a post is decided before
any card is rendered; a fragment never decides that.

A fragment with forms is stored cut at the places its template wrote the reader's CSRF token
(`token_slot`), and served by joining the parts with the reader's token: nothing is searched or
replaced in the stored HTML, so no text anyone wrote can take the token in.
"""

import secrets
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from contextvars import ContextVar

from markupsafe import Markup, escape

MAX_BYTES = 8 * 1024 * 1024

Parts = tuple[Markup, ...]


def _size(parts: Parts) -> int:
    return sum(map(len, parts))


# The least recently used first. An OrderedDict rather than a cachetools LRUCache: its lookups
# run in C, where the LRUCache's took five Python calls for each of a page's forty to seventy
# fragments.
_cache: OrderedDict[Hashable, Parts] = OrderedDict()
_held = 0  # the size of the values kept, in characters
_lock = threading.Lock()


class _Slot:
    """`{{ token_slot }}` in a stored fragment's template: where the reader's token goes.

    It writes a word made for this one rendering, counts how often it was written, and the
    rendered HTML is cut at that word: a word no one could have typed before it existed, and
    the count proves every cut is one the template made."""

    __slots__ = ()

    def __html__(self) -> str:
        writing = _writing.get()
        if writing is None:
            raise RuntimeError("token_slot is written only inside a stored fragment")
        writing.count += 1
        return writing.word

    __str__ = __html__


class _Writing:
    __slots__ = ("count", "word")

    def __init__(self) -> None:
        self.word, self.count = f"csrf-slot-{secrets.token_hex(16)}", 0


TOKEN_SLOT = _Slot()
_writing: ContextVar[_Writing | None] = ContextVar("token_slot", default=None)


def _render(render: Callable[[], str]) -> Parts:
    writing = _Writing()
    reset = _writing.set(writing)
    try:
        html = escape(render())  # a template's output is Markup already and stays as it is
    finally:
        _writing.reset(reset)
    parts = tuple(html.split(writing.word))
    if len(parts) != writing.count + 1:
        raise RuntimeError("a stored fragment holds its token slot's word where it wrote none")
    return parts


def stored_parts(key: Hashable, render: Callable[[], str]) -> Parts:
    """The HTML stored under `key`, cut where the reader's token goes; rendered (and stored)
    the first time it is asked for."""
    global _held
    with _lock:
        parts = _cache.get(key)
        if parts is not None:
            _cache.move_to_end(key)
    if parts is None:
        parts = _render(render)
        size = _size(parts)
        if size < MAX_BYTES // 64:
            with _lock:
                if key not in _cache:
                    _cache[key], _held = parts, _held + size
                while _held > MAX_BYTES:
                    _held -= _size(_cache.popitem(last=False)[1])
    return parts


def fragment(key: Hashable, render: Callable[[], str]) -> Markup:
    """The stored HTML of a fragment without forms."""
    parts = stored_parts(key, render)
    if len(parts) != 1:
        raise RuntimeError("a fragment with a token slot is served with a token")
    return parts[0]


def fragment_with_token(key: Hashable, token: str, render: Callable[[], str]) -> Markup:
    """The stored HTML of a fragment with forms, with the reader's token where it wrote
    `token_slot`."""
    return Markup(str(escape(token)).join(stored_parts(key, render)))  # noqa: S704  (escaped parts)


def joined(parts: list[str]) -> Markup:
    """Stored fragments (escaped markup, with the reader's token put in) as one Markup: joined
    as plain text and wrapped once, where Markup's own join escapes and copies every part
    again, and the whole once more."""
    return Markup("".join(parts))  # noqa: S704  (every part is escaped markup already)
