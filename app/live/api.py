"""GET /live: the caller's events as server-sent events (bearer token)."""

from typing import Annotated

from fastapi import APIRouter, Header, Query
from sse_starlette import EventSourceResponse

from app.api.deps import ApiUser
from app.core.transactions import TransactionalRoute
from app.live.stream import events, parse_follows, parse_last_event_id

# Sync, like every route: the caller is read and the request's transaction ends before the
# stream starts, so an open stream holds no database connection.
router = APIRouter(route_class=TransactionalRoute, tags=["me"])


@router.get(
    "/live",
    response_class=EventSourceResponse,
    responses={200: {"content": {"text/event-stream": {}}}},
)
def live(
    user: ApiUser,
    last_event_id: Annotated[str | None, Header()] = None,
    follow: Annotated[str | None, Query(max_length=200)] = None,
) -> EventSourceResponse:
    """`text/event-stream`: a `notification` event (`{"id", "kind", "text", "url"}`) the moment
    a notification is created for the caller; each event's `id:` is the notification's id.
    Reconnecting with `Last-Event-ID` replays what was missed within the last 24 hours.

    `follow` (up to four, comma-separated) adds an event each time one of these changes, if the
    caller may see it: `post:ID` → `comments`, `space:ID` or `space:*` → `posts`, `event:ID` →
    `answers`, `poll:ID` → `votes`, `flags:ID` or `flags:*` → `flags` (spaces they moderate).
    Its data is `{"topic"}` only: fetch what changed through the ordinary routes."""
    return EventSourceResponse(
        events(
            user.id,  # type: ignore[arg-type]
            user.locale,
            parse_last_event_id(last_event_id),
            parse_follows(follow),
        ),
        headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"},
    )
