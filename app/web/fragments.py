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
from collections.abc import Callable, Hashable
from contextvars import ContextVar
from dataclasses import fields, is_dataclass, replace

from cachetools import LRUCache
from markupsafe import Markup, escape

MAX_BYTES = 8 * 1024 * 1024

Parts = tuple[Markup, ...]


def _size(parts: Parts) -> int:
    return sum(map(len, parts))


_cache: LRUCache[Hashable, Parts] = LRUCache(maxsize=MAX_BYTES, getsizeof=_size)
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


def _bare(key: Hashable) -> Hashable:
    """The key as kept: a view-model without the texts its edit times stand for (equal to it
    all the same). The store counts its values only: texts kept in keys would grow it uncounted."""
    if not is_dataclass(key) or isinstance(key, type):
        return key
    texts = {each.name: "" for each in fields(key) if not each.compare}
    return replace(key, **texts) if texts else key


def stored_parts(key: Hashable, render: Callable[[], str]) -> Parts:
    """The HTML stored under `key`, cut where the reader's token goes; rendered (and stored)
    the first time it is asked for."""
    with _lock:
        parts = _cache.get(key)
    if parts is None:
        parts = _render(render)
        if _size(parts) < MAX_BYTES // 64:
            with _lock:
                _cache[_bare(key)] = parts
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
