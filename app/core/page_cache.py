"""Finished pages, kept by this process for about a second (issue 19).

The hot pages (home, a space's stream, a post) cost several times the framework's floor to
build, and a reader who reloads, a tab that comes back, or the same page asked twice by htmx
asks for the same bytes again within a second. This keeps the finished response (status,
headers, body) under a key of everything that shapes it (app/web/cached_pages.py builds the key)
and serves it again while all of these hold:

- it was made at most AGORA_PAGE_CACHE_SECONDS ago (at most 1), counted from when its request
  *began*, so a page is never older than that against the database it read;
- this process has written nothing since that request began (app/core/write_watch.py): every
  write statement and its commit drop the whole cache at once, so whoever writes (a comment,
  an edit, a moderator's hiding) sees their change on the next request;
- it is among the most recently used entries, within MAX_ENTRIES and MAX_BYTES.

Another process's write is not seen here: it reaches this process's readers when their entry
expires, within the same second (several app processes behind a load balancer).
"""

import threading
import time
from collections import OrderedDict
from collections.abc import Hashable
from dataclasses import dataclass

from app.core import write_watch

MAX_ENTRIES = 512
# The worker peaks at about 195 MB (README, Benchmarks) against a 200 MB bound: the cache adds
# at most this much body text (a page is 20-120 kB).
MAX_BYTES = 8 * 1024 * 1024
# A page larger than this share of the bound is not kept (it would push out many others).
LARGEST_SHARE = 8


@dataclass(frozen=True, slots=True)
class Page:
    """A finished response: what is sent again on a hit."""

    status: int
    headers: tuple[tuple[bytes, bytes], ...]
    body: bytes
    made_at: float  # time.monotonic() when the request that made it began
    generation: int  # write_watch.generation() then


class PageCache:
    """A least-recently-used store of finished pages, bounded in entries and bytes."""

    def __init__(self, *, max_entries: int = MAX_ENTRIES, max_bytes: int = MAX_BYTES) -> None:
        self.max_entries = max_entries
        self.max_bytes = max_bytes
        self._pages: OrderedDict[Hashable, Page] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()
        self.hits = self.misses = 0

    def __len__(self) -> int:
        return len(self._pages)

    @property
    def size(self) -> int:
        """The body bytes held."""
        return self._bytes

    def get(self, key: Hashable, *, max_age: float) -> Page | None:
        """The page kept under `key`, if it is younger than `max_age` seconds and nothing was
        written since its request began."""
        now = time.monotonic()
        with self._lock:
            page = self._pages.get(key)
            if page is None:
                self.misses += 1
                return None
            if now - page.made_at >= max_age or not write_watch.unchanged_since(page.generation):
                self._drop(key)
                self.misses += 1
                return None
            self._pages.move_to_end(key)
            self.hits += 1
            return page

    def put(self, key: Hashable, page: Page) -> bool:
        """Keep `page` unless something was written since its request began (then it may show
        the old rows) or it is too large; whether it was kept."""
        size = len(page.body)
        if size > self.max_bytes // LARGEST_SHARE:
            return False
        with self._lock:
            # Checked under the lock: `clear` (a write) takes it too, so a page read before a
            # write can never be added after that write cleared the store.
            if not write_watch.unchanged_since(page.generation):
                return False
            if key in self._pages:
                self._drop(key)
            self._pages[key] = page
            self._bytes += size
            while len(self._pages) > self.max_entries or self._bytes > self.max_bytes:
                self._drop(next(iter(self._pages)))
            return True

    def clear(self) -> None:
        with self._lock:
            self._pages.clear()
            self._bytes = 0

    def _drop(self, key: Hashable) -> None:
        page = self._pages.pop(key)
        self._bytes -= len(page.body)


pages = PageCache()
write_watch.on_write(pages.clear)
