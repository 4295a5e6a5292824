"""Rendered HTML that every reader sees alike, kept per process and keyed by all it shows.

Most of a post card (author and badges, space, title, text, time) looks the same to every
reader in one language and time zone; rendering it was most of a stream page's template work.
The key stands for everything the fragment shows, so an edited post, a renamed person or a new
badge simply makes a new key: nothing is invalidated, nothing goes stale, and each process
keeps its own copy (keys no page asks for any more fall out of the LRU). Texts are stood for
by their row's id, creation and edit times, not held in the key: the LRU counts the values'
size only, and keys holding whole bodies doubled the memory it did not count. Whether a reader may
see a post is decided before any card is rendered; a fragment never decides that.
"""

import secrets
import threading
from collections.abc import Callable, Hashable
from typing import Any

from cachetools import LRUCache
from markupsafe import Markup, escape

from app.core.config import get_settings
from app.core.i18n import get_locale

MAX_BYTES = 8 * 1024 * 1024

_cache: LRUCache[Hashable, Markup] = LRUCache(maxsize=MAX_BYTES, getsizeof=len)
_lock = threading.Lock()


def fragment(key: Hashable, render: Callable[[], str]) -> Markup:
    """The HTML stored under `key`, rendered (and stored) the first time it is asked for."""
    with _lock:
        html = _cache.get(key)
    if html is None:
        html = escape(render())  # a template's output is Markup already and stays as it is
        if len(html) < MAX_BYTES // 64:
            with _lock:
                _cache[key] = html
    return html


def cached(key: Hashable, caller: Callable[[], str]) -> Markup:
    """`{% call cached(key) %}...{% endcall %}` in a template."""
    return fragment(key, caller)


def joined(parts: list[str]) -> Markup:
    """Stored fragments (escaped markup, with a token put in by fragment_with_token's rule) as
    one Markup: joined as plain text and wrapped once, where Markup's own join escapes and
    copies every part again, and the whole once more."""
    return Markup("".join(parts))  # noqa: S704  (every part is escaped markup already)


# Stands for the reader's CSRF token inside a stored form; each page puts the reader's in. The
# replacement runs over the whole fragment, user text included, so the slot is a random word of
# this process that no one can type into a post (a fixed word typed into one came back as the
# reader's token).
TOKEN_SLOT = f"csrf-slot-{secrets.token_hex(16)}"


def fragment_with_token(key: Hashable, token: str, caller: Callable[[], str]) -> Markup:
    """fragment() for markup whose forms write `token_slot` where the reader's CSRF token goes:
    stored without it, served with it (`{% call cached_form(key, csrf_token) %}` in templates)."""
    return fragment(key, caller).replace(TOKEN_SLOT, token)


def reactions_key(card: Any) -> tuple[Any, ...]:
    """The reaction bar shows the counts and which of them are the reader's own."""
    return (
        "reactions",
        get_locale(),
        card.post.id,
        tuple(sorted(card.reactions.items())),
        tuple(sorted(card.my_reactions)),
    )


def person_key(user: Any, marks: Any = ()) -> tuple[Any, ...]:
    """What the `person` macro shows of someone: name, leader badge, badges in this space."""
    if user is None:
        return ()
    shown = tuple((m.level, m.icon, m.name, m.is_builtin) for m in marks or ())
    face = (user.avatar_version, user.is_active)
    return (user.id, user.display_name, user.is_leader, user.leader_title, face, shown)


def card_key(card: Any, zone: str, ago: str) -> tuple[Any, ...]:
    """Everything a post card shows apart from the reader's reactions and the comment count."""
    post, space = card.post, card.space
    return (
        "card",
        get_locale(),
        zone,
        ago,
        post.id,
        post.kind,
        post.pinned_at is not None,
        post.published_at,
        post.edited_at,  # every change of title or text sets it: the key stays small
        space.slug,
        space.name,
        person_key(card.author, card.author_marks),
    )


def comment_key(
    comment: Any, person: tuple[Any, ...], zone: str, ago: str, locale: str
) -> tuple[Any, ...]:
    """What a comment shows to every reader: author and badges (`person`, the author's
    person_key), time, marks, text."""
    return (
        "comment",
        locale,
        zone,
        ago,
        comment.id,
        comment.created_at,
        comment.edited_at,  # every change of the text sets it (deleted comments are not listed)
        comment.hidden_at is not None,
        comment.parent_id,
        person,
    )


def thanks_key(entry: Any, zone: str, ago: str) -> tuple[Any, ...]:
    """Everything a kudos line in a stream shows."""
    kudos = entry.kudos
    return (
        "thanks",
        get_locale(),
        zone,
        ago,
        kudos.id,
        kudos.message,
        kudos.created_at,
        person_key(entry.giver),
        person_key(entry.receiver),
        entry.target_title,
        entry.target_url,
    )


def voices_key(voices: Any, zone: str, ago: Callable[[Any], str]) -> tuple[Any, ...]:
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
                ago(post.published_at),
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


def _space_key(space: Any, member_count: int) -> tuple[Any, ...]:
    return (space.id, space.slug, space.name, space.visibility, member_count)


def composer_key(space: Any, member_count: int, access: Any, user: Any) -> tuple[Any, ...]:
    """Everything an empty composer shows (templates/posts/composer.html): the audience line,
    the kinds this person may post, their time zone."""
    return (
        "composer",
        get_locale(),
        _space_key(space, member_count),
        access.can_moderate,
        user.time_zone,
    )


def space_head_key(space: Any, member_count: int, access: Any, on_events: bool) -> tuple[Any, ...]:
    """Everything a space's header shows (templates/spaces/_header.html), which depends on what
    the reader may do there."""
    return (
        "space-head",
        get_locale(),
        _space_key(space, member_count),
        space.description,
        space.header_image_version,
        space.join_policy,
        space.archived_at is not None,
        access.can_read,
        access.can_write,
        access.can_moderate,
        access.can_manage,
        access.is_member,
        access.pending,
        on_events,
    )


def comment_form_key(post_id: int, space: Any, member_count: int, access: Any) -> tuple[Any, ...]:
    """Everything a blank comment form under a post shows (templates/posts/page.html)."""
    return (
        "comment-form",
        get_locale(),
        post_id,
        _space_key(space, member_count),
        access.can_write,
        access.is_member,
    )


def upcoming_key(upcoming: Any, zone: str) -> tuple[Any, ...]:
    """Everything home's "coming up" box shows (templates/events/_upcoming_aside.html)."""
    return (
        "upcoming",
        get_locale(),
        zone,
        tuple(
            (occ.event.id, occ.key, occ.event.title, occ.cancelled, occ.starts_at, space.name)
            for occ, space in upcoming or ()
        ),
    )
