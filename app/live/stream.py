"""One person's stream of events: what is new for them each time a notice wakes it."""

import json
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import anyio
from sqlmodel import Session

from app.db import get_engine, utcnow
from app.i18n import in_locale
from app.live.hub import Listener, hub
from app.notifications.service import latest_id, notifications_after

# How far back a reconnect's Last-Event-ID is replayed from (and at most how many events).
REPLAY_WINDOW = timedelta(hours=24)
REPLAY_LIMIT = 100


def parse_last_event_id(value: str | None) -> int | None:
    """The id a reconnecting browser last saw; None when absent or not an event id of ours."""
    if value is None or not value.strip().isdigit() or len(value.strip()) > 18:
        return None
    return int(value.strip())


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


async def events(
    user_id: int, locale: str, last_event_id: int | None
) -> AsyncIterator[dict[str, Any]]:
    """Replay from `last_event_id` (if given), then each notification as it is created."""
    hub.start()
    listener = Listener(user_id)
    hub.add(listener)  # before reading: a notice arriving meanwhile is not lost
    try:
        after_id = await anyio.to_thread.run_sync(_start, user_id, last_event_id)
        while True:
            listener.woken.clear()
            for item in await anyio.to_thread.run_sync(_news, user_id, locale, after_id):
                after_id = int(item["id"])
                yield item
            await listener.woken.wait()
    finally:
        hub.remove(listener)
