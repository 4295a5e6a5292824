"""JSON API for moderation: flags, the review queue and moderators' decisions.

Authenticated with a personal access token (``Authorization: Bearer agora_...``); every answer
goes through the same services and access policy as the pages. Errors are ``{"detail": ...}``.
"""

from typing import Any

from fastapi import APIRouter
from pydantic import Field

from app.api.deps import ApiUser
from app.api.schemas import CONFLICT, Input, iso_time
from app.core.ids import Id
from app.core.security import SessionDep
from app.core.transactions import TransactionalRoute
from app.moderation import review
from app.moderation import service as moderation
from app.moderation.review import QueueItem
from app.spaces.access import require_moderate, space_access_by_slug

router = APIRouter(route_class=TransactionalRoute, tags=["community"])


class FlagIn(Input):
    reason: str = Field(strict=True, max_length=2000)


class ActionIn(Input):
    action: str = Field(strict=True, max_length=20, examples=["hide", "restore", "dismiss", "warn"])
    note: str = Field(default="", strict=True, max_length=2000)


def _flag_out(flag: Any) -> dict[str, Any]:
    return {
        "id": flag.id,
        "target_type": str(flag.target_type),
        "target_id": flag.target_id,
        "post_id": flag.post_id,
        "state": str(flag.state),
        "created_at": iso_time(flag.created_at),
    }


def _queue_item(item: QueueItem) -> dict[str, Any]:
    return {
        "flag_id": item.flag_id,
        "target_type": item.target_type,
        "target_id": item.target_id,
        "post_id": item.post.id,
        "post_title": item.post.title,
        "space": item.space.slug,
        "body_html": (item.comment or item.post).body_html,
        "author_id": item.author.id if item.author else None,
        "flags": item.count,
        "reasons": item.reasons,
        "hidden": item.hidden,
        "first_flagged_at": iso_time(item.first_at),
    }


@router.post("/posts/{post_id}/flags", status_code=201, responses=CONFLICT)
def flag_post(post_id: Id, body: FlagIn, session: SessionDep, user: ApiUser) -> dict[str, Any]:
    return _flag_out(moderation.flag_post(session, user=user, post_id=post_id, reason=body.reason))


@router.post("/comments/{comment_id}/flags", status_code=201, responses=CONFLICT)
def flag_comment(
    comment_id: Id, body: FlagIn, session: SessionDep, user: ApiUser
) -> dict[str, Any]:
    flag = moderation.flag_comment(session, user=user, comment_id=comment_id, reason=body.reason)
    return _flag_out(flag)


@router.get("/moderation/queue")
def queue(
    session: SessionDep, user: ApiUser, cursor: str | None = None, space: str | None = None
) -> dict[str, Any]:
    space_id = None
    if space:
        space_id = require_moderate(space_access_by_slug(session, user, space)).space.id
    page = review.review_queue(session, user=user, space_id=space_id, cursor=cursor)
    return {"items": [_queue_item(i) for i in page.items], "next_cursor": page.next_cursor}


@router.post("/moderation/flags/{flag_id}", responses=CONFLICT)
def act(flag_id: Id, body: ActionIn, session: SessionDep, user: ApiUser) -> dict[str, Any]:
    decision = moderation.act_on_flag(
        session, user=user, flag_id=flag_id, action=body.action, note=body.note
    )
    return {
        "flag": _flag_out(decision.flag),
        "action": decision.action,
        "flags_resolved": decision.resolved,
        "hidden": decision.hidden,
    }
