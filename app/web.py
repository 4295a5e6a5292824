"""Templates and render(): the full page, or for htmx the block named by the request's target."""

import hashlib
from datetime import datetime
from functools import lru_cache, partial
from typing import Any
from zoneinfo import ZoneInfo

from babel.dates import TIMEDELTA_UNITS, format_datetime, format_timedelta
from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, select_autoescape
from jinja2_fragments import render_block
from markupsafe import Markup

from app.config import PROJECT_ROOT, get_settings
from app.db import utcnow
from app.fragments import (
    TOKEN_SLOT,
    cached,
    card_key,
    comment_key,
    fragment,
    person_key,
    reactions_key,
)
from app.i18n import get_locale, raw_gettext, raw_ngettext
from app.security import csrf_token

TEMPLATE_DIR = PROJECT_ROOT / "templates"
STATIC_DIR = PROJECT_ROOT / "static"

env = Environment(
    loader=FileSystemLoader(TEMPLATE_DIR),
    autoescape=select_autoescape(["html", "xml"]),
    extensions=["jinja2.ext.i18n"],
    trim_blocks=True,
    lstrip_blocks=True,
    # Outside development templates never change under a running process: no stat() per include.
    auto_reload=get_settings().env == "development",
)
env.install_gettext_callables(raw_gettext, raw_ngettext, newstyle=True)  # type: ignore[attr-defined]


@lru_cache
def static_url(path: str) -> str:
    """A cache-busting address for a file under static/ (content hash in the query)."""
    digest = hashlib.sha256((STATIC_DIR / path).read_bytes()).hexdigest()[:10]
    return f"/static/{path}?v={digest}"


def format_when(value: datetime | None, fmt: str = "medium", zone: str | None = None) -> str:
    if value is None:
        return ""
    return _when(value, fmt, zone or get_settings().default_timezone, get_locale())


@lru_cache(maxsize=8192)
def _when(value: datetime, fmt: str, zone: str, locale: str) -> str:
    # A page shows the same few dozen times to every reader in a language and zone; Babel
    # takes about 60 microseconds for each.
    return format_datetime(value.astimezone(ZoneInfo(zone)), format=fmt, locale=locale)


# Babel's relative time depends only on the direction, the unit it picks and the rounded count
# in that unit (babel.dates.format_timedelta): the first text made for such a key holds for all
# later times with the same key.
_AGO_THRESHOLD = 0.85
_ago_texts: dict[tuple[str, bool, str, int], str] = {}


def _ago_key(seconds: float) -> tuple[bool, str, int]:
    for unit, per_unit in TIMEDELTA_UNITS:
        value = abs(seconds) / per_unit
        if value >= _AGO_THRESHOLD or unit == "second":
            if unit == "second" and value > 0:
                value = max(1, value)
            return seconds >= 0, unit, round(value)
    raise AssertionError("the last unit always matches")  # pragma: no cover


def format_ago(value: datetime | None) -> str:
    if value is None:
        return ""
    delta = value - utcnow()
    locale = get_locale()
    key = (locale, *_ago_key(delta.total_seconds()))
    text = _ago_texts.get(key)
    if text is None:
        if len(_ago_texts) > 4096:
            _ago_texts.clear()
        text = format_timedelta(delta, add_direction=True, threshold=_AGO_THRESHOLD, locale=locale)
        _ago_texts[key] = text
    return text


@lru_cache
def _module_once(name: str) -> Any:
    return env.get_template(name).module


def template_module(name: str) -> Any:
    """A template's macros for calling from Python (loaded once, except in development, where
    templates reload when they change)."""
    return env.get_template(name).module if env.auto_reload else _module_once(name)


def _card_parts() -> Any:
    return template_module("posts/_card.html")


def card_html(card: Any, zone: str, token: str) -> Markup:
    """A post card put together from its two stored parts (see templates/posts/_card.html):
    a handful of Python calls per card where rendering the macros took a few hundred."""
    parts = _card_parts()
    ago = format_ago(card.post.published_at)
    head = fragment(card_key(card, zone, ago), lambda: parts.head(card, zone))
    foot = fragment((*reactions_key(card), card.post.comment_count), lambda: parts.foot(card))
    return head + foot.replace(TOKEN_SLOT, token)


def stream_html(entries: Any, zone: str, token: str) -> Markup:
    """A stream's entries (post cards and kudos lines) in one call from the template."""
    shown = []
    for entry in entries:
        if hasattr(entry, "kudos"):
            shown.append(_thanks_html(entry, zone))
        else:
            shown.append(card_html(entry, zone, token))
    return Markup("").join(shown)


def _thanks_html(entry: Any, zone: str) -> Markup:
    kudos = entry.kudos
    key = (
        "thanks",
        get_locale(),
        zone,
        kudos.id,
        kudos.message,
        kudos.created_at,
        format_ago(kudos.created_at),
        person_key(entry.giver),
        person_key(entry.receiver),
        entry.target_title,
        entry.target_url,
    )
    macro = template_module("recognition/_stream_thanks.html").thanks
    return fragment(key, partial(macro, entry, zone))


def reaction_bar(card: Any, token: str) -> Markup:
    """The reaction form of one post with the reader's CSRF token."""
    bar = fragment(reactions_key(card), lambda: _card_parts().reactions(card))
    return bar.replace(TOKEN_SLOT, token)


def voices_key(voices: Any, zone: str) -> tuple[Any, ...]:
    """Everything the leaders' voices box shows (templates/recognition/_home.html)."""
    return (
        "voices",
        get_locale(),
        zone,
        tuple(
            (
                post.id,
                post.title,
                post.published_at,
                format_ago(post.published_at),
                person_key(author),
                space.slug,
                space.name,
            )
            for post, author, space in voices
        ),
    )


def spotlight_key(spot: Any, viewer: Any) -> tuple[Any, ...]:
    """Everything the spotlight shows (templates/recognition/_spotlight.html)."""
    latest = spot.latest
    return (
        "spotlight",
        get_locale(),
        get_settings().site_name,
        person_key(spot.person),
        spot.space.name if spot.space else None,
        spot.posts,
        spot.comments,
        (latest.id, latest.title) if latest else None,
        viewer is not None and spot.person.id == viewer.id,
    )


def home_aside_key(checklist: Any, showcase: Any) -> tuple[Any, ...]:
    """Everything the home page's getting-started list and showcase box show."""
    steps = None
    if checklist and checklist.show_on_home:
        steps = tuple((step.key, step.done, step.url) for step in checklist.steps)
    latest = tuple((c.post.id, c.post.title, tuple(c.tags[:3])) for c in showcase or ())
    return ("home-aside", get_locale(), steps, latest)


def cached_form(key: Any, token: str, caller: Any) -> Markup:
    """`{% call cached_form(key, csrf_token) %}` around markup whose forms write `token_slot`
    where the reader's CSRF token goes: stored without it, served with it."""
    return fragment(key, caller).replace(TOKEN_SLOT, token)


def comments_html(
    comments: Any, marks_by_author: Any, zone: str, viewer: Any, token: str
) -> Markup:
    """A list of (comment, author) rendered from stored comments (templates/posts/_comment.html)."""
    macro = template_module("posts/_comment.html").comment
    signed_in = viewer is not None
    shown = []
    for comment, author in comments:
        marks = (marks_by_author or {}).get(author.id if author else None)
        mine = signed_in and comment.author_id == viewer.id
        ago = format_ago(comment.created_at)
        key = (*comment_key(comment, author, marks, zone, ago), mine, signed_in)
        html = fragment(key, partial(macro, comment, author, marks, zone, mine, signed_in))
        shown.append(html.replace(TOKEN_SLOT, token) if mine else html)
    return Markup("").join(shown)


env.globals.update(
    static_url=static_url,
    site_name=lambda: get_settings().site_name,
    cached=cached,
    comments_html=comments_html,
    voices_key=voices_key,
    home_aside_key=home_aside_key,
    cached_form=cached_form,
    spotlight_key=spotlight_key,
    card_html=card_html,
    stream_html=stream_html,
    reaction_bar=reaction_bar,
    format_when=format_when,
    token_slot=TOKEN_SLOT,
)
env.filters.update(ago=format_ago)
# `{% if post.published_at is future %}`: scheduled, not yet published.
env.tests.update(future=lambda value: value is not None and value > utcnow())


def is_htmx(request: Request) -> bool:
    return request.headers.get("hx-request") == "true"


def fragment_name(request: Request) -> str | None:
    """The block an htmx request asks for: its target id with dashes as underscores.

    Boosted navigation and history restores need the whole page, so they get it.
    """
    if not is_htmx(request) or request.headers.get("hx-boosted") == "true":
        return None
    if request.headers.get("hx-history-restore-request") == "true":
        return None
    target = request.headers.get("hx-target")
    return target.replace("-", "_") if target else None


NAV_SECTIONS = (
    "/spaces", "/showcase", "/action-items", "/notifications", "/admin/people", "/moderation",
    "/admin/health",
)  # fmt: skip


@lru_cache(maxsize=1024)
def nav_section(path: str) -> str | None:
    """The main navigation's entry for a page: marked as the current one."""
    if path == "/":
        return "/"
    return next((section for section in NAV_SECTIONS if path.startswith(section)), None)


def render(
    request: Request,
    template: str,
    context: dict[str, Any] | None = None,
    *,
    status_code: int = 200,
    block: str | None = None,
    headers: dict[str, str] | None = None,
) -> HTMLResponse:
    """Render a page, or one named block of it when htmx asked for that part only."""
    user = request.scope.get("state", {}).get("user")
    zone = user.time_zone if user is not None else get_settings().default_timezone
    ctx: dict[str, Any] = {
        "request": request,
        "current_user": user,
        "csrf_token": csrf_token(request),
        "locale": get_locale(),
        "zone": zone,
        "nav_section": nav_section(request.url.path),
        "when": lambda value, fmt="medium": format_when(value, fmt, zone),
        **(context or {}),
    }
    compiled = env.get_template(template)
    wanted = block or fragment_name(request)
    if wanted and wanted in compiled.blocks:
        html = render_block(env, template, wanted, ctx)
    else:
        html = compiled.render(ctx)
    response = HTMLResponse(html, status_code=status_code, headers=headers)
    response.headers.append("vary", "HX-Request")
    return response
