"""The hot pages served again from app/core/page_cache.py, as one small ASGI layer.

Home (`/`), a space's stream (`/spaces/{slug}`) and a post (`/posts/{id}`): a repeat of the
same request by the same browser within AGORA_PAGE_CACHE_SECONDS gets the bytes the first one
got, without routing, dependencies, the sign-in check, the database or the templates. The
handlers are unchanged; this layer sits inside SecurityMiddleware (which still adds its headers
and picks the language for every request) and before the router.

The key is everything that shapes these pages' bytes: the path and query string; the session
cookie (who is signed in: each person's stream, spaces and permissions differ) and the CSRF
cookie (its token is in every form of the page); the language the request asked for (a person's
own language follows from the session); and the htmx headers that choose between the whole page
and one block (`render` reads HX-Request, HX-Target, HX-Boosted, HX-History-Restore-Request).

Never kept: anything but GET; a browser without a session (the pages then answer with a
redirect to sign in) or without its CSRF cookie yet (its page carries a token just made up);
a query with other parameters than the page's own (the post page's one-time notices,
`?flagged=1`, come that way); and any response that is not a 200, sets a cookie or says
`no-store`.
"""

import asyncio
import re
import time
from urllib.parse import parse_qsl

from starlette.requests import cookie_parser
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.core import write_watch
from app.core.config import get_settings
from app.core.db import get_engine
from app.core.i18n import get_locale
from app.core.page_cache import Page, pages
from app.core.security import CSRF_COOKIE, SESSION_COOKIE

# The three pages and the query parameters each reads (a later page of the stream or the
# comments; the live watcher's `since`). `/spaces/new` is the form, not a space.
_PAGES = (
    (re.compile(r"/"), frozenset({"cursor"})),
    (re.compile(r"/spaces/(?!new$)[^/]+"), frozenset({"cursor"})),
    (re.compile(r"/posts/[0-9]+"), frozenset({"cursor", "since"})),
)
_HTMX_HEADERS = (b"hx-request", b"hx-target", b"hx-boosted", b"hx-history-restore-request")
HIT_HEADER = (b"x-page-cache", b"hit")

Key = tuple[object, ...]
# The pages being made now, by key: later requests for one wait for it (one event loop per
# process; an entry lives only while its request runs).
_building: dict[Key, asyncio.Event] = {}


def _own_parameters(path: str, query: bytes) -> bool:
    """Whether `path` is one of the cached pages and its query names only that page's own."""
    for pattern, allowed in _PAGES:
        if pattern.fullmatch(path):
            if not query:
                return True
            names = {name for name, _ in parse_qsl(query.decode("latin-1"), True)}
            return names <= allowed
    return False


def page_key(scope: Scope) -> Key | None:
    """What shapes this request's page, or None when it must not be kept or served from memory."""
    if scope["method"] != "GET" or not _own_parameters(scope["path"], scope["query_string"]):
        return None
    cookie_header = ""
    htmx: dict[bytes, bytes] = {}
    for name, value in scope["headers"]:
        if name == b"cookie":
            cookie_header = value.decode("latin-1")
        elif name in _HTMX_HEADERS:
            htmx[name] = value
    if not cookie_header:
        return None
    cookies = cookie_parser(cookie_header)
    session, csrf = cookies.get(SESSION_COOKIE), cookies.get(CSRF_COOKIE)
    # SecurityMiddleware made up a token when the browser had none (it sets the cookie).
    if not session or not csrf or scope.get("state", {}).get("csrf_token") != csrf:
        return None
    return (
        scope["path"],
        scope["query_string"],
        session,
        csrf,
        get_locale(),
        *(htmx.get(name) for name in _HTMX_HEADERS),
    )


def _keepable(headers: list[tuple[bytes, bytes]]) -> bool:
    for name, value in headers:
        lowered = name.lower()
        if lowered == b"set-cookie":
            return False
        if lowered == b"cache-control" and b"no-store" in value.lower():
            return False
    return True


class CachedPages:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        max_age = get_settings().page_cache_age
        key = page_key(scope) if max_age > 0 else None
        if key is None:
            await self.app(scope, receive, send)
            return
        page = pages.get(key, max_age=max_age)
        if page is None and (building := _building.get(key)) is not None:
            # The same page is being made for this browser right now (a write dropped it while
            # its tabs or htmx parts kept asking): wait for that one instead of making it again.
            # Served only if it was kept, that is if nothing was written since it began: as
            # fresh as a hit.
            await building.wait()
            page = pages.get(key, max_age=max_age)
        if page is not None:
            await send(
                {
                    "type": "http.response.start",
                    "status": page.status,
                    "headers": [*page.headers, HIT_HEADER],
                }
            )
            await send({"type": "http.response.body", "body": page.body})
            return
        owner = key not in _building
        if owner:
            _building[key] = asyncio.Event()
        try:
            await self._make(scope, receive, send, key)
        finally:
            if owner:
                _building.pop(key).set()

    async def _make(self, scope: Scope, receive: Receive, send: Send, key: Key) -> None:
        """Run the handler, keeping its page if it may be served again."""
        write_watch.watch(get_engine())
        # Both before the handler reads anything: the page's age and what it may have missed.
        made_at, generation = time.monotonic(), write_watch.generation()
        status, headers, chunks = 0, (), []
        keep = False

        async def capture(message: Message) -> None:
            nonlocal status, headers, keep
            if message["type"] == "http.response.start":
                status = message["status"]
                # A copy: the layers outside add their headers to the message's own list.
                raw = list(message.get("headers", ()))
                headers, keep = tuple(raw), status == 200 and _keepable(raw)
            elif message["type"] == "http.response.body" and keep:
                chunks.append(message.get("body", b""))
                if not message.get("more_body", False):
                    body = b"".join(chunks)
                    pages.put(key, Page(status, headers, body, made_at, generation))
            await send(message)

        await self.app(scope, receive, capture)
