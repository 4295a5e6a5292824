"""Templates and render(): the full page, or for htmx the block named by the request's target."""

import hashlib
from collections.abc import Callable, MutableMapping
from datetime import date, datetime
from functools import lru_cache, partial
from typing import Any
from zoneinfo import ZoneInfo

from babel.dates import TIMEDELTA_UNITS, format_datetime, format_timedelta
from fastapi import Request
from fastapi.responses import HTMLResponse, Response
from jinja2 import Environment, FileSystemLoader, Undefined, select_autoescape
from jinja2_fragments import render_block
from markupsafe import Markup, escape
from sqlmodel import Session

from app.core.config import PROJECT_ROOT, get_settings
from app.core.dates import STYLES, babel_locale, format_moment
from app.core.db import utcnow
from app.core.errors import DomainError
from app.core.i18n import get_locale, gettext, install_gettext
from app.core.rows import RowView
from app.core.security import csrf_token
from app.core.transactions import commit_before_rendering
from app.images.faces import colour_index, initials
from app.web.fragments import TOKEN_SLOT, fragment, fragment_with_token, joined, stored_parts
from app.web.icons import SPRITE, badge_glyph, icon
from app.web.page_views import (
    CommentForm,
    Composer,
    Footer,
    HomeAside,
    Nav,
    NavMe,
    SpaceHead,
    Spotlight,
    Upcoming,
    Voices,
)
from app.web.views import (
    CardFoot,
    CardHead,
    CommentView,
    PersonView,
    Reactions,
    ThanksView,
    View,
    is_view,
    key_fields,
    key_of,
)

TEMPLATE_DIR = PROJECT_ROOT / "templates"
STATIC_DIR = PROJECT_ROOT / "static"


class _Undefined(Undefined):
    """Undefined as usual, except a field a row view or a stored fragment's view-model does not
    carry is an error: the row view copies only the columns lists show (app.core.rows), the
    view-model is all its fragment's key covers (app.web.views), and a template asking for
    another field would otherwise print nothing, silently."""

    __slots__ = ()

    def __init__(self, hint: Any = None, obj: Any = None, name: Any = None, **more: Any) -> None:
        if isinstance(obj, RowView):
            raise AttributeError(f"{type(obj).__name__} has no field {name!r} (see app.core.rows)")
        if is_view(obj):
            raise AttributeError(f"{type(obj).__name__} has no field {name!r} (see app.web.views)")
        super().__init__(hint, obj, name, **more)


class _Environment(Environment):
    def make_globals(self, d: MutableMapping[str, Any] | None) -> MutableMapping[str, Any]:
        """A template's globals as one plain dict, where Jinja chains a dict of its own over the
        environment's: every render, include and import copies or compares those names (about
        35), and through a ChainMap that took about 100 Python calls each time. The globals are
        all set when this module loads, before any template does."""
        return {**self.globals, **(d or {})}


env = _Environment(
    undefined=_Undefined,
    loader=FileSystemLoader(TEMPLATE_DIR),
    autoescape=select_autoescape(["html", "xml"]),
    extensions=["jinja2.ext.i18n"],
    trim_blocks=True,
    lstrip_blocks=True,
    # Outside development templates never change under a running process: no stat() per include.
    auto_reload=get_settings().env == "development",
)
install_gettext(env)


@lru_cache
def static_url(path: str) -> str:
    """A cache-busting address for a file under static/ (content hash in the query)."""
    digest = hashlib.sha256((STATIC_DIR / path).read_bytes()).hexdigest()[:10]
    return f"/static/{path}?v={digest}"


def format_day(value: date | None, style: str = "date") -> str:
    """A calendar date (a due date: no time, no zone) in the reader's language."""
    return format_moment(value, style, get_locale()) if value is not None else ""


def format_when(value: datetime | None, fmt: str = "medium", zone: str | None = None) -> str:
    if value is None:
        return ""
    return _when(value, fmt, zone or get_settings().default_timezone, get_locale())


@lru_cache(maxsize=8192)
def _when(value: datetime, fmt: str, zone: str, locale: str) -> str:
    # A page shows the same few dozen times to every reader in a language and zone; Babel
    # takes about 60 microseconds for each.
    local = value.astimezone(ZoneInfo(zone))
    if fmt in STYLES:
        return format_moment(local, fmt, locale)
    # Babel's own widths ("medium", "short") and machine formats ("yyyyMMdd") for attributes.
    return format_datetime(local, format=fmt, locale=babel_locale(locale))


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


def format_ago(value: datetime | None, now: datetime | None = None) -> str:
    if value is None:
        return ""
    delta = value - (now or utcnow())
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


def _render(view: View) -> str:
    """A view-model's fragment, rendered by its macro from the view alone (no page context, so
    it shows nothing its key does not cover)."""
    name, macro = view.macro.split(":")
    return getattr(template_module(name), macro)(view)


def stored(view: View) -> Markup:
    """The fragment `view` shows, stored under the view's key."""
    return fragment(key_of(view), partial(_render, view))


def stored_form(view: View, token: str) -> Markup:
    """stored() for a fragment with forms: served with the reader's CSRF token."""
    return fragment_with_token(key_of(view), token, partial(_render, view))


def card_html(card: Any, zone: str, token: str) -> Markup:
    """A post card put together from its two stored parts (see templates/posts/_card.html):
    a handful of Python calls per card where rendering the macros took a few hundred."""
    return joined([_card_text(card, zone, str(escape(token)), get_locale(), {})])


_HEAD_KEY, _FOOT_KEY, _COMMENT_KEY = (key_fields(cls) for cls in (CardHead, CardFoot, CommentView))


def _card_text(card: Any, zone: str, token: str, locale: str, people: dict[Any, Any]) -> str:
    # Plain str operations on the stored Markup: each Markup operation escapes its operands
    # and copies its text into a new Markup, several times over for every card of a page. The
    # keys are read here (key_of without its call): a stream shows twenty cards or more.
    author = card.author
    author_key = (author.id, card.space.id) if author is not None else None
    person = people.get(author_key)
    if person is None:
        person = people[author_key] = PersonView.of(author, card.author_marks)
    head = CardHead.of(card, zone, format_ago(card.post.published_at), locale, person)
    foot = CardFoot.of(card, locale)
    head_html = stored_parts((CardHead, _HEAD_KEY(head)), partial(_render, head))[0]
    foot_parts = stored_parts((CardFoot, _FOOT_KEY(foot)), partial(_render, foot))
    return str.__add__(head_html, token.join(foot_parts))


def stream_html(entries: Any, zone: str, token: str) -> Markup:
    """A stream's entries (post cards and kudos lines) in one call from the template."""
    token = str(escape(token))
    locale = get_locale()
    people: dict[Any, Any] = {}
    shown = [
        _thanks_html(entry, zone, locale)
        if hasattr(entry, "kudos")
        else _card_text(entry, zone, token, locale, people)
        for entry in entries
    ]
    return joined(shown)


def _thanks_html(entry: Any, zone: str, locale: str) -> Markup:
    return stored(ThanksView.of(entry, zone, format_ago(entry.kudos.created_at), locale))


def reaction_bar(card: Any, token: str) -> Markup:
    """The reaction form of one post with the reader's CSRF token."""
    return stored_form(Reactions.of(card, get_locale()), token)


# An open page's live watcher shows an edited comment in place (htmx out-of-band).
_ITEM, _ITEM_IN_PLACE = Markup("<li "), Markup('<li hx-swap-oob="true" ')


def comments_html(
    comments: Any, marks_by_author: Any, zone: str, viewer: Any, token: str, oob: bool = False
) -> Markup:
    """A list of (comment, author) rendered from stored comments (templates/posts/_comment.html).

    With `oob`, each replaces the comment of its id where the page shows it. A post page shows
    fifty comments by a few people: the time, the language and each author's view are worked
    out once per list, not per comment."""
    signed_in = viewer is not None
    viewer_id = viewer.id if signed_in else None
    marks_by_author = marks_by_author or {}
    locale, now = get_locale(), utcnow()
    token = str(escape(token))
    people: dict[Any, PersonView | None] = {}
    shown = []
    for comment, author in comments:
        author_id = author.id if author else None
        if author_id in people:
            person = people[author_id]
        else:
            person = people[author_id] = PersonView.of(author, marks_by_author.get(author_id))
        mine = signed_in and comment.author_id == viewer_id
        ago = format_ago(comment.created_at, now)
        view = CommentView.of(comment, person, zone, ago, locale, mine, signed_in)
        html = token.join(stored_parts((CommentView, _COMMENT_KEY(view)), partial(_render, view)))
        shown.append(html.replace(_ITEM, _ITEM_IN_PLACE, 1) if oob else html)
    # Every part is escaped markup already: Markup's own join would escape and copy each again
    # (two fifths of this function's time).
    return Markup("".join(shown))  # noqa: S704


def _shared_macro(name: str) -> Callable[..., Markup]:
    """A macro of components/macros.html callable from any template without importing it: an
    import costs every render Jinja's comparison of all global names (about 100 calls), with
    context the whole module's render besides."""

    def call(*args: Any, **kwargs: Any) -> Markup:
        return getattr(template_module("components/macros.html"), name)(*args, **kwargs)

    return call


env.globals.update(
    static_url=static_url,
    icon=lambda name, label=None: icon(name, label, sprite_url=static_url(SPRITE)),
    badge_glyph=lambda emoji: badge_glyph(emoji, sprite_url=static_url(SPRITE)),
    site_name=lambda: get_settings().site_name,
    comments_html=comments_html,
    # The stored parts of pages, each built from its view-model (app.web.page_views).
    voices_box=lambda voices, zone: stored(Voices.of(voices, zone, format_ago, get_locale())),
    spotlight_box=lambda spot, viewer: stored(
        Spotlight.of(spot, viewer, get_settings().site_name, get_locale())
    ),
    home_aside=lambda checklist, showcase, token: stored_form(
        HomeAside.of(checklist, showcase, get_locale()), token
    ),
    upcoming_box=lambda upcoming, zone: stored(Upcoming.of(upcoming, zone, get_locale())),
    space_head=lambda space, count, access, on_events, token: stored_form(
        SpaceHead.of(space, count, access, on_events, get_locale()), token
    ),
    composer_view=lambda space, count, access, user: Composer.of(
        space, count, access, user, get_locale()
    ),
    comment_form_view=lambda post_id, space, count, access: CommentForm.of(
        post_id, space, count, access, get_locale()
    ),
    nav_links=lambda locale, is_admin, section: stored(Nav(locale, is_admin, section)),
    nav_me=lambda locale, user, token: stored_form(NavMe(locale, PersonView.of(user)), token),
    site_footer=lambda locale, site, signed_in: stored(Footer(locale, site, signed_in)),
    stored_form=stored_form,
    card_html=card_html,
    stream_html=stream_html,
    reaction_bar=reaction_bar,
    format_when=format_when,
    format_day=format_day,
    token_slot=TOKEN_SLOT,
    face_initials=initials,
    face_colour=colour_index,
    person=_shared_macro("person"),
    face_of=_shared_macro("face_of"),
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
    "/spaces", "/people", "/showcase", "/action-items", "/notifications", "/admin/people",
    "/moderation", "/admin/health", "/admin/uploads",
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
    commit_before_rendering()
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


def form_error(
    request: Request,
    session: Session,
    template: str,
    error: DomainError,
    context: Callable[[], dict[str, Any]] | dict[str, Any],
    *,
    field: str | None = None,
    block: str | None = None,
    headers: dict[str, str] | None = None,
    rollback: bool = True,
) -> HTMLResponse:
    """Undo what the failed action wrote, then show the form again with its message (422).

    A callable context is built after the rollback, so the page shows what is stored, not the
    half-done change. The message goes under `field` (default: the error's own field) unless
    the context brings its own (non-empty) `errors`."""
    if rollback:
        session.rollback()
    values = context() if callable(context) else dict(context)
    if not values.get("errors"):
        values["errors"] = {field or error.field: error.text()}
    return render(request, template, values, status_code=422, block=block, headers=headers)


def block_after(
    request: Request,
    session: Session,
    template: str,
    context: Callable[[str | None], dict[str, Any]],
    *,
    block: str,
    refused: DomainError | None = None,
    headers: dict[str, str] | None = None,
) -> HTMLResponse:
    """An htmx action's answer (an RSVP, a vote): its block built afresh from what is stored.

    After a refusal the block carries the message (`context` gets it, translated) and answers 422
    once what the action wrote is undone (form_error); a plain form's refusal is raised again, to
    be answered like any other. Otherwise the writes are flushed first, so the block shows them."""
    if refused is not None:
        if not is_htmx(request):
            raise refused
        message = gettext(refused.message)
        return form_error(
            request,
            session,
            template,
            refused,
            lambda: context(message),
            block=block,
            headers=headers,
        )
    session.flush()
    return render(request, template, context(None), block=block, headers=headers)


# Pictures are served with no power over the page that shows them: were a crafted file ever
# opened on its own, it runs nothing and loads nothing.
IMAGE_CONTENT_SECURITY_POLICY = "default-src 'none'; style-src 'unsafe-inline'; sandbox"


def image_response(
    request: Request, *, data: bytes, content_type: str, etag: str, max_age: int = 3600
) -> Response:
    """An image with its ETag: a browser that holds this version gets 304 and no bytes.

    Private to the signed-in browser; URLs name the version, so a new picture shows at once,
    and max_age bounds how long a browser keeps one it was allowed to see."""
    tag = f'"{etag}"'
    headers = {
        "ETag": tag,
        "Cache-Control": f"private, max-age={max_age}",
        "Content-Security-Policy": IMAGE_CONTENT_SECURITY_POLICY,
        "Content-Disposition": "inline",
    }
    asked = request.headers.get("if-none-match", "")
    if tag in (part.strip() for part in asked.split(",")):
        return Response(status_code=304, headers=headers)
    return Response(data, media_type=content_type, headers=headers)
