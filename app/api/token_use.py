"""When an API token was last used: written after the answer, in its own short transaction.

Writing it inside the request's transaction made every API call a write, and fifty concurrent
protocol saves over the API then failed with SQLite's "database is locked". So the bearer check
only notes that a write is due, and this layer writes once the answer has gone out. "Last used"
is coarse on purpose: a token used within PRECISION is not written again, so a busy script
costs one small write per interval, not one per call. The write is best effort: a failure is
logged and forgotten, never the caller's problem.
"""

from datetime import datetime

from fastapi import Request
from sqlalchemy import Engine
from starlette.concurrency import run_in_threadpool
from starlette.types import ASGIApp, Receive, Scope, Send

# The write lives in the core (app/core/token_use.py): the protocol socket records uses too, and a
# domain never imports the API layer. Re-exported here for the API's callers.
from app.core.token_use import PRECISION, TokenUse, is_due, record_token_use, use_if_due

__all__ = ["PRECISION", "RecordTokenUse", "TokenUse", "is_due", "note_use", "record_token_use"]

_STATE_KEY = "api_token_use"


def note_use(
    request: Request,
    *,
    engine: Engine,
    token_id: int,
    last_used_at: datetime | None,
    now: datetime,
) -> None:
    """Ask for a write after the answer, if the stored time is missing or older than PRECISION."""
    use = use_if_due(engine=engine, token_id=token_id, last_used_at=last_used_at, now=now)
    if use is not None:
        request.state.api_token_use = use


class RecordTokenUse:
    """ASGI layer of the API app: runs the write a request asked for once its answer is sent.

    Unlike a handler's background task, it also runs when the answer is an error (a 404 or
    422 is still a use of the token), and it waits for a thread before taking a connection."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await self.app(scope, receive, send)
        use = scope.get("state", {}).get(_STATE_KEY)
        if isinstance(use, TokenUse):
            await run_in_threadpool(record_token_use, use)
