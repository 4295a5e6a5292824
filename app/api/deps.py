"""API dependencies: the bearer-token caller and the shared path and paging parameters."""

from typing import Annotated, cast

from fastapi import Depends, HTTPException, Path, Query, Request, Security
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy import Engine

from app.api.token_use import note_use
from app.core.db import read_without_transaction, utcnow
from app.core.ids import MAX_ID
from app.core.security import SessionDep, api_caller, hand_back
from app.people.models import User

# auto_error=False: we answer a missing token ourselves, as JSON with WWW-Authenticate: Bearer.
bearer_scheme = HTTPBearer(
    auto_error=False,
    description="A personal access token, created with `agora tokens create EMAIL`.",
)


def _unauthorized(detail: str, error: str | None = None) -> HTTPException:
    challenge = f'Bearer error="{error}"' if error else "Bearer"
    return HTTPException(status_code=401, detail=detail, headers={"WWW-Authenticate": challenge})


def api_user(
    request: Request,
    session: SessionDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Security(bearer_scheme)],
) -> User:
    """The person behind the bearer token; revoked tokens and deactivated people answer 401."""
    if credentials is None or not credentials.credentials:
        raise _unauthorized("Not authenticated")
    engine = session.get_bind()
    read_without_transaction(session)
    caller = api_caller(session, credentials.credentials)
    hand_back(session, caller.user if caller else None)
    if caller is None:
        raise _unauthorized("Invalid or revoked token", error="invalid_token")
    # Written after the answer, in a transaction of its own (see app.api.token_use).
    note_use(
        request,
        engine=cast(Engine, engine),
        token_id=caller.token_id,
        last_used_at=caller.last_used_at,
        now=utcnow(),
    )
    return caller.user


ApiUser = Annotated[User, Depends(api_user)]
# Paths say {id}, as the API is documented; Python code says post_id.
PostId = Annotated[int, Path(alias="id", ge=1, le=MAX_ID, description="The post's id")]
Slug = Annotated[str, Path(max_length=60, description="The space's address")]
Cursor = Annotated[
    str | None,
    Query(max_length=200, description="The next_cursor of the previous page; omit for the first"),
]
Limit = Annotated[int, Query(ge=1, le=100, description="Items per page")]
