"""JSON API for a space's scheduled posts.

Authenticated with a personal access token (``Authorization: Bearer agora_...``); every answer
goes through the same services and access policy as the pages. Errors are ``{"detail": ...}``.
"""

from typing import Any

from fastapi import APIRouter

from app.api.deps import ApiUser
from app.api.schemas import iso_time
from app.core.security import SessionDep
from app.core.transactions import TransactionalRoute
from app.prompts import scheduling
from app.spaces.access import require_read, space_access_by_slug

# Tagged "community" as before the split, so the OpenAPI document stays the same.
router = APIRouter(route_class=TransactionalRoute, tags=["community"])


@router.get("/spaces/{slug}/scheduled")
def scheduled(slug: str, session: SessionDep, user: ApiUser) -> dict[str, Any]:
    access = require_read(space_access_by_slug(session, user, slug))
    posts = scheduling.scheduled_posts(session, access=access)
    return {
        "items": [
            {"post_id": p.id, "title": p.title, "publish_at": iso_time(p.published_at)}
            for p in posts
        ]
    }
