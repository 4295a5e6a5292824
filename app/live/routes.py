"""The page's live stream (signed in by cookie): GET /live answers text/event-stream."""

from typing import Annotated

from fastapi import APIRouter, Header, Query
from sse_starlette import EventSourceResponse

from app.core.security import CurrentUser
from app.core.transactions import TransactionalRoute
from app.live.stream import events, parse_follows, parse_last_event_id

# Sync, like every route: the signed-in person is read and the request's transaction ends
# before the stream starts, so an open stream holds no database connection.
router = APIRouter(route_class=TransactionalRoute)


@router.get("/live")
def live(
    user: CurrentUser,
    last_event_id: Annotated[str | None, Header()] = None,
    follow: Annotated[str | None, Query(max_length=200)] = None,
) -> EventSourceResponse:
    return EventSourceResponse(
        events(
            user.id,  # type: ignore[arg-type]
            user.locale,
            parse_last_event_id(last_event_id),
            parse_follows(follow),
        ),
        headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"},
    )
