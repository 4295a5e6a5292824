"""JSON API for the showcase: featuring a post, and the list.

Authenticated with a personal access token (``Authorization: Bearer agora_...``); every answer
goes through the same services and access policy as the pages. Errors are ``{"detail": ...}``.
"""

from typing import Annotated, Any

from fastapi import APIRouter
from pydantic import Field
from sqlmodel import Session

from app.api.deps import ApiUser
from app.api.schemas import CONFLICT, Input, iso_time
from app.core.ids import Id
from app.core.security import SessionDep
from app.core.transactions import TransactionalRoute
from app.showcase import service as showcase
from app.showcase.models import ShowcaseEntry
from app.showcase.service import ShowcaseCard

# Tagged "community" as before the split, so the OpenAPI document stays the same.
router = APIRouter(route_class=TransactionalRoute, tags=["community"])


class ShowcaseIn(Input):
    tags: (
        Annotated[list[Annotated[str, Field(strict=True, max_length=40)]], Field(max_length=20)]
        | Annotated[str, Field(strict=True, max_length=2000)]
    ) = Field(description="A list, or one comma-separated string")
    origin: str = Field(default="internal", strict=True, max_length=20)
    external_url: str = Field(default="", strict=True, max_length=500)


def _showcase_item(card: ShowcaseCard) -> dict[str, Any]:
    return {
        "post_id": card.post.id,
        "title": card.post.title,
        "space": card.space.slug,
        "author_id": card.author.id if card.author else None,
        "origin": str(card.entry.origin),
        "external_url": card.entry.external_url or None,
        "tags": card.tags,
        "featured_at": iso_time(card.entry.featured_at),
    }


@router.post("/posts/{post_id}/showcase", responses=CONFLICT)
def add_to_showcase(
    post_id: Id, body: ShowcaseIn, session: SessionDep, user: ApiUser
) -> dict[str, Any]:
    entry = showcase.feature_post(
        session,
        user=user,
        post_id=post_id,
        tags=body.tags,
        origin=body.origin,
        external_url=body.external_url,
    )
    return _entry_out(session, entry)


def _entry_out(session: Session, entry: ShowcaseEntry) -> dict[str, Any]:
    tags = showcase.entry_for_post(session, post_id=entry.post_id)
    return {
        "post_id": entry.post_id,
        "origin": str(entry.origin),
        "external_url": entry.external_url or None,
        "tags": tags[1] if tags else [],
        "featured_at": iso_time(entry.featured_at),
    }


@router.get("/showcase")
def showcase_list(
    session: SessionDep, user: ApiUser, tag: str | None = None, cursor: str | None = None
) -> dict[str, Any]:
    page = showcase.showcase_page(session, user=user, tag=tag, cursor=cursor)
    return {"items": [_showcase_item(c) for c in page.items], "next_cursor": page.next_cursor}
