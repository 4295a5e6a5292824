"""One person's stream of events: what is new for them each time a notice wakes it.

Besides the person's notifications, a page's stream follows the topics of what that page shows
(FOLLOWS: what a page may ask for, and the event it gets). An event about a topic carries no
content, only "this changed": the page then fetches its fragment through the ordinary, policy
checked route. Each one is checked against the content policy first (app/access/live.py): by
the hub for all the streams it wakes at once, or here after a gap.
"""

import json
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import anyio
from sqlmodel import Session

from app.core.db import get_engine, utcnow
from app.core.i18n import in_locale
from app.live.checks import allowed
from app.live.hub import Listener, hub, kind_of
from app.notifications.service import latest_id, notifications_after

# How far back a reconnect's Last-Event-ID is replayed from (and at most how many events).
REPLAY_WINDOW = timedelta(hours=24)
REPLAY_LIMIT = 100

# What a page may follow (`?follow=post:12`), and the event name its elements listen for.
FOLLOWS = {
    "post": "comments",
    "space": "posts",
    "event": "answers",
    "flags": "flags",
    "poll": "votes",
}
MAX_FOLLOWS = 4
# Kinds a page may follow as a whole (`space:*`: every space the reader can read, the home page).
WHOLE_KINDS = {"space", "flags"}


def parse_last_event_id(value: str | None) -> int | None:
    """The id a reconnecting browser last saw; None when absent or not an event id of ours."""
    if value is None or not value.strip().isdigit() or len(value.strip()) > 18:
        return None
    return int(value.strip())


def parse_follows(value: str | None) -> tuple[str, ...]:
    """The topics a page asks to follow ("post:12,space:*"); anything else is left out."""
    follows: list[str] = []
    for part in (value or "").split(","):
        kind, colon, row_id = part.strip().partition(":")
        whole = row_id == "*" and kind in WHOLE_KINDS
        if colon and kind in FOLLOWS and (whole or (row_id.isdigit() and len(row_id) < 12)):
            follows.append(f"{kind}:{row_id}")
    return tuple(dict.fromkeys(follows))[:MAX_FOLLOWS]


def _start(user_id: int, last_event_id: int | None) -> int:
    if last_event_id is not None:
        return last_event_id
    with Session(get_engine()) as session:
        return latest_id(session, user_id=user_id)


def _news(user_id: int, locale: str, after_id: int) -> list[dict[str, Any]]:
    # A fresh short session on a worker thread: an idle stream holds no connection.
    with Session(get_engine()) as session, in_locale(locale):
        rows = notifications_after(
            session,
            user_id=user_id,
            after_id=after_id,
            since=utcnow() - REPLAY_WINDOW,
            limit=REPLAY_LIMIT,
        )
        return [
            {
                "id": str(n.id),
                "event": "notification",
                "data": json.dumps({"id": n.id, "kind": n.kind, "text": text, "url": n.url}),
            }
            for n, text in rows
        ]


def _changed(follows: tuple[str, ...], heard: set[str] | None) -> list[str]:
    """The heard topics a page follows (all it follows after a gap, when nothing is known)."""
    if heard is None:
        return [topic for topic in follows if not topic.endswith(":*")]
    wildcards = {kind_of(topic) for topic in follows if topic.endswith(":*")}
    return sorted(t for t in heard if t in follows or kind_of(t) in wildcards)


async def events(
    user_id: int, locale: str, last_event_id: int | None, follows: tuple[str, ...] = ()
) -> AsyncIterator[dict[str, Any]]:
    """Replay from `last_event_id` (if given), then each notification as it is created, and
    an event each time a followed topic changes."""
    hub.start()
    mine = f"user:{user_id}"
    listener = Listener(user_id, {mine, *follows})
    hub.add(listener)  # before reading: a notice arriving meanwhile is not lost
    try:
        after_id = await anyio.to_thread.run_sync(_start, user_id, last_event_id)
        heard: set[str] | None = {mine}
        while True:
            if heard is None or mine in heard:
                for item in await anyio.to_thread.run_sync(_news, user_id, locale, after_id):
                    after_id = int(item["id"])
                    yield item
            for topic in _changed(follows, heard):
                # A topic heard by name was checked for this person by the hub (hub.py); after
                # a gap, when nothing is known, each one followed is checked here.
                if heard is not None or await allowed(user_id, topic):
                    yield {
                        "id": str(after_id),
                        "event": FOLLOWS[kind_of(topic)],
                        "data": json.dumps({"topic": topic}),
                    }
            await listener.woken.wait()
            heard = listener.take()
    finally:
        hub.remove(listener)
