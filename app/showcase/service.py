"""The showcase (tip 2): posts moderators hold up as good examples, with tags.

An entry is an internal post, or a post that writes up an external example. Only posts the viewer
can read are ever listed, so a showcased post in a private space stays among its members.
Members suggest posts; moderators of the post's space decide.
"""

import re
from dataclasses import dataclass, field
from functools import cache
from typing import Any
from urllib.parse import urlparse

from sqlalchemy import delete, func, tuple_, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from app.access.showcase import showcase_entries_shown_to
from app.core import prepared
from app.core.db import not_indexed, utcnow
from app.core.domain_events import PostFeatured, ShowcaseSuggested, publish
from app.core.errors import Conflict, Invalid, NotFound
from app.core.pagination import Cursor, Page
from app.core.prepared import LIMIT, NOW, VIEWER
from app.core.rows import columns, fetch, read
from app.core.text import check_characters, without_forbidden
from app.people.models import PersonRow, User
from app.people.service import record_audit
from app.posts.models import Post, PostRow
from app.posts.service import load_post
from app.showcase.models import (
    ShowcaseEntry,
    ShowcaseEntryRow,
    ShowcaseOrigin,
    ShowcaseSuggestion,
    ShowcaseTag,
    SuggestionState,
)
from app.spaces.access import (
    access_for,
    moderatable_space_ids,
    require_moderate,
)
from app.spaces.models import Space, SpaceRow

TAG_RE = re.compile(r"^[\w-]{1,32}$")
MAX_TAGS = 8


@dataclass
class ShowcaseCard:
    entry: ShowcaseEntryRow
    post: PostRow
    space: SpaceRow
    author: PersonRow | None
    tags: list[str] = field(default_factory=list)


def parse_tags(tags: str | list[str]) -> list[str]:
    """'Remote Work, onboarding' or a list -> ['remote-work', 'onboarding']; at least one."""
    raw = tags.split(",") if isinstance(tags, str) else list(tags)
    clean: list[str] = []
    for tag in raw:
        tag = "-".join(str(tag).strip().lower().lstrip("#").split())
        if not tag:
            continue
        if not TAG_RE.match(tag):
            raise Invalid(
                "Tags use letters, digits and dashes, at most 32 characters each", field="tags"
            )
        if tag not in clean:
            clean.append(tag)
    if not clean:
        raise Invalid("Give it at least one tag", field="tags")
    if len(clean) > MAX_TAGS:
        raise Invalid("At most %(max)s tags", field="tags", max=MAX_TAGS)
    return clean


def _check_url(url: str) -> str:
    url = check_characters(url, field="external_url").strip()
    if not url:
        return ""
    parsed = urlparse(url)
    if parsed.scheme not in ("http", "https") or not parsed.netloc or len(url) > 500:
        raise Invalid("Enter a web address starting with https://", field="external_url")
    return url


def _showable(post: Post) -> None:
    if post.hidden_at is not None:
        raise Invalid("Hidden posts cannot go into the showcase")
    if post.published_at > utcnow():
        raise Invalid("Publish the post first")


def feature_post(
    session: Session,
    *,
    user: User,
    post_id: int,
    tags: str | list[str],
    origin: str = "internal",
    external_url: str = "",
) -> ShowcaseEntry:
    """A moderator of the post's space puts it in the showcase (or updates its tags)."""
    post, access = load_post(session, user=user, post_id=post_id)
    require_moderate(access)
    _showable(post)
    clean_tags = parse_tags(tags)
    if origin not in ShowcaseOrigin.__members__:
        raise Invalid("Choose internal or external", field="origin")
    url = _check_url(external_url)
    entry = session.exec(select(ShowcaseEntry).where(ShowcaseEntry.post_id == post.id)).first()
    is_new = entry is None
    if entry is None:
        entry = ShowcaseEntry(
            post_id=post.id,  # type: ignore[arg-type]
            space_id=post.space_id,
            featured_by_id=user.id,
        )
    entry.origin, entry.external_url = ShowcaseOrigin(origin), url
    try:
        with session.begin_nested():
            session.add(entry)
            session.flush()
    except IntegrityError as exc:
        raise Conflict("Someone else just added this post to the showcase") from exc
    session.exec(delete(ShowcaseTag).where(col(ShowcaseTag.entry_id) == entry.id))
    session.add_all([ShowcaseTag(entry_id=entry.id, tag=tag) for tag in clean_tags])  # type: ignore[arg-type]
    session.exec(
        update(ShowcaseSuggestion)
        .where(
            col(ShowcaseSuggestion.post_id) == post.id,
            col(ShowcaseSuggestion.state) == SuggestionState.open,
        )
        .values(state=SuggestionState.accepted)
    )
    record_audit(
        session,
        actor=user,
        action="showcase.add" if is_new else "showcase.update",
        target_type="post",
        target_id=post.id,
        space_id=post.space_id,
        detail=", ".join(clean_tags),
    )
    if is_new:
        publish(session, PostFeatured(post=post, by=user))
    session.flush()
    return entry


def unfeature_post(session: Session, *, user: User, post_id: int) -> None:
    post, access = load_post(session, user=user, post_id=post_id)
    require_moderate(access)
    removed = session.exec(delete(ShowcaseEntry).where(col(ShowcaseEntry.post_id) == post.id))
    if not removed.rowcount:
        raise NotFound("This post is not in the showcase")
    record_audit(
        session,
        actor=user,
        action="showcase.remove",
        target_type="post",
        target_id=post.id,
        space_id=post.space_id,
    )
    session.flush()


def suggest_post(
    session: Session, *, user: User, post_id: int, note: str = ""
) -> ShowcaseSuggestion:
    """Anyone who can read a post suggests it; the space's hosts hear about it once."""
    post, _access = load_post(session, user=user, post_id=post_id)
    _showable(post)
    note = " ".join(check_characters(note, field="note").split())
    if len(note) > 500:
        raise Invalid("Too long: at most %(max)s characters", field="note", max=500)
    if session.exec(select(ShowcaseEntry.id).where(ShowcaseEntry.post_id == post.id)).first():
        raise Conflict("This post is already in the showcase")
    existing = session.exec(
        select(ShowcaseSuggestion).where(
            ShowcaseSuggestion.post_id == post.id, ShowcaseSuggestion.suggested_by_id == user.id
        )
    ).first()
    if existing is not None:
        return existing
    suggestion = ShowcaseSuggestion(
        post_id=post.id,  # type: ignore[arg-type]
        space_id=post.space_id,
        suggested_by_id=user.id,
        note=note,
    )
    try:
        with session.begin_nested():
            session.add(suggestion)
    except IntegrityError as exc:
        raise Conflict("You have already suggested this post") from exc
    publish(session, ShowcaseSuggested(post=post, by=user))
    session.flush()
    return suggestion


def decline_suggestion(session: Session, *, user: User, suggestion_id: int) -> None:
    suggestion = session.get(ShowcaseSuggestion, suggestion_id)
    space = session.get(Space, suggestion.space_id) if suggestion else None
    if suggestion is None or space is None:
        raise NotFound("Suggestion not found")
    access = access_for(session, user, space)
    if not access.can_read:
        raise NotFound("Suggestion not found")
    require_moderate(access)
    if suggestion.state != SuggestionState.open:
        raise Conflict("Someone already handled this suggestion")
    suggestion.state = SuggestionState.declined
    session.add(suggestion)
    record_audit(
        session,
        actor=user,
        action="showcase.decline",
        target_type="post",
        target_id=suggestion.post_id,
        space_id=suggestion.space_id,
    )
    session.flush()


def open_suggestions(
    session: Session, *, user: User, limit: int = 50
) -> list[tuple[ShowcaseSuggestion, Post, Space]]:
    """Suggestions for posts in spaces the person moderates, oldest first."""
    rows = session.exec(
        select(ShowcaseSuggestion, Post, Space)
        .join(Post, col(Post.id) == ShowcaseSuggestion.post_id)
        .join(Space, col(Space.id) == ShowcaseSuggestion.space_id)
        .where(
            col(ShowcaseSuggestion.state) == SuggestionState.open,
            col(ShowcaseSuggestion.space_id).in_(moderatable_space_ids(user)),
            col(Post.deleted_at).is_(None),
        )
        .order_by(col(ShowcaseSuggestion.created_at), col(ShowcaseSuggestion.id))
        .limit(limit)
    ).all()
    return [(s, p, sp) for s, p, sp in rows]


def _visible_entries(user: User):
    return _visible_entries_to(user.id, utcnow())


# What a showcase card is read from: each row is cut into these (app.core.rows).
CARD = (ShowcaseEntryRow, PostRow, SpaceRow, PersonRow)


def _visible_entries_to(viewer_id: Any, now: Any) -> Any:
    return (
        select(*columns(CARD))
        # Each entry's post by its id: with the post_id index usable, SQLite carried the
        # readable spaces over to the posts and walked every readable post to find the few
        # featured ones (0.4 ms of the home page's 4.6 at 1,000 posts, growing with the site).
        .join(Post, col(Post.id) == not_indexed(ShowcaseEntry.post_id))
        .join(Space, col(Space.id) == Post.space_id)
        .outerjoin(User, col(User.id) == Post.author_id)
        .where(
            # Filtered on the entry's own space (the post's, recorded when it was featured), so
            # the database walks the few entries, not every readable post.
            *showcase_entries_shown_to(viewer_id, now),
        )
    )


@cache
def _tags_statement() -> Any:
    return (
        select(ShowcaseTag.entry_id, ShowcaseTag.tag)
        .where(col(ShowcaseTag.entry_id).in_(prepared.ids("entry_ids")))
        .order_by(col(ShowcaseTag.id))
    )


def _with_tags(session: Session, rows: list[tuple[Any, ...]]) -> list[ShowcaseCard]:
    cards = [ShowcaseCard(entry=e, post=p, space=s, author=a) for e, p, s, a in rows]
    ids = [card.entry.id for card in cards]
    if ids:
        tags: dict[int, list[str]] = {}
        for entry_id, tag in read(session, _tags_statement(), {"entry_ids": ids}):
            tags.setdefault(entry_id, []).append(tag)
        for card in cards:
            card.tags = tags.get(card.entry.id, [])
    return cards


def showcase_page(
    session: Session,
    *,
    user: User,
    tag: str | None = None,
    cursor: str | None = None,
    limit: int = 20,
) -> Page[ShowcaseCard]:
    """Showcased posts the person can read, newest first, optionally with one tag."""
    query = _visible_entries(user)
    if tag:
        query = query.where(
            col(ShowcaseEntry.id).in_(
                select(ShowcaseTag.entry_id).where(
                    ShowcaseTag.tag == without_forbidden(tag).strip().lower()
                )
            )
        )
    after = Cursor.decode(cursor)
    if after is not None:
        query = query.where(
            tuple_(ShowcaseEntry.featured_at, ShowcaseEntry.id) < tuple_(after.at, after.id)
        )
    newest_first = query.order_by(
        col(ShowcaseEntry.featured_at).desc(), col(ShowcaseEntry.id).desc()
    ).limit(limit + 1)
    rows = fetch(session, newest_first, {}, CARD)
    next_cursor = None
    if len(rows) > limit:
        rows = rows[:limit]
        last = rows[-1][0]
        next_cursor = Cursor(last.featured_at, last.id).encode()
    return Page(items=_with_tags(session, rows), next_cursor=next_cursor)


@cache
def _newest_statement() -> Any:
    return (
        _visible_entries_to(VIEWER, NOW)
        .order_by(col(ShowcaseEntry.featured_at).desc(), col(ShowcaseEntry.id).desc())
        .limit(LIMIT)
    )


def newest_showcase(session: Session, *, user: User, limit: int = 3) -> list[ShowcaseCard]:
    """The home page's few newest entries (built once: the home page shows them every time)."""
    values = prepared.values(user.id, utcnow(), limit)
    return _with_tags(session, fetch(session, _newest_statement(), values, CARD))


def showcase_tags(session: Session, *, user: User, limit: int = 40) -> list[tuple[str, int]]:
    """Tags of entries the person can read, most used first (for the filter)."""
    visible = _visible_entries(user).with_only_columns(col(ShowcaseEntry.id)).subquery()
    rows = session.exec(
        select(ShowcaseTag.tag, func.count())
        .where(col(ShowcaseTag.entry_id).in_(select(visible.c.id)))
        .group_by(col(ShowcaseTag.tag))
        .order_by(func.count().desc(), col(ShowcaseTag.tag))
        .limit(limit)
    ).all()
    return [(t, n) for t, n in rows]


def entry_for_post(session: Session, *, post_id: int) -> tuple[ShowcaseEntry, list[str]] | None:
    entry = session.exec(select(ShowcaseEntry).where(ShowcaseEntry.post_id == post_id)).first()
    if entry is None:
        return None
    tags = session.exec(
        select(ShowcaseTag.tag)
        .where(ShowcaseTag.entry_id == entry.id)
        .order_by(col(ShowcaseTag.id))
    ).all()
    return entry, list(tags)
