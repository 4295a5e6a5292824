"""JSON API for community management: flags, the review queue, the showcase and health figures.

Authenticated with a personal access token (``Authorization: Bearer agora_...``); every answer
goes through the same services and access policy as the pages. Errors are ``{"detail": ...}``.
"""

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter
from pydantic import Field

from app.api.deps import ApiUser
from app.api.schemas import CONFLICT, Input
from app.core.ids import Id
from app.errors import Forbidden
from app.health import service as health
from app.moderation import review
from app.moderation import service as moderation
from app.moderation.review import QueueItem
from app.onboarding import service as onboarding
from app.prompts import scheduling
from app.security import SessionDep
from app.showcase import service as showcase
from app.showcase.service import ShowcaseCard
from app.spaces.access import require_moderate, require_read, space_access_by_slug
from app.transactions import TransactionalRoute

router = APIRouter(route_class=TransactionalRoute, tags=["community"])


class FlagIn(Input):
    reason: str = Field(strict=True, max_length=2000)


class ActionIn(Input):
    action: str = Field(strict=True, max_length=20, examples=["hide", "restore", "dismiss", "warn"])
    note: str = Field(default="", strict=True, max_length=2000)


class ShowcaseIn(Input):
    tags: (
        Annotated[list[Annotated[str, Field(strict=True, max_length=40)]], Field(max_length=20)]
        | Annotated[str, Field(strict=True, max_length=2000)]
    ) = Field(description="A list, or one comma-separated string")
    origin: str = Field(default="internal", strict=True, max_length=20)
    external_url: str = Field(default="", strict=True, max_length=500)


def _time(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def _flag_out(flag: Any) -> dict[str, Any]:
    return {
        "id": flag.id,
        "target_type": str(flag.target_type),
        "target_id": flag.target_id,
        "post_id": flag.post_id,
        "state": str(flag.state),
        "created_at": _time(flag.created_at),
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
        "first_flagged_at": _time(item.first_at),
    }


def _showcase_item(card: ShowcaseCard) -> dict[str, Any]:
    return {
        "post_id": card.post.id,
        "title": card.post.title,
        "space": card.space.slug,
        "author_id": card.author.id if card.author else None,
        "origin": str(card.entry.origin),
        "external_url": card.entry.external_url or None,
        "tags": card.tags,
        "featured_at": _time(card.entry.featured_at),
    }


def _health_out(report: health.HealthReport) -> dict[str, Any]:
    """Aggregates only; every figure about too small a group is null, with too_few set."""
    return {
        "min_group_size": health.MIN_GROUP,
        "weeks": [week.date().isoformat() for week in report.weeks],
        "who": report.who,
        "too_few": not report.shown,
        "people": report.people,
        "weekly_active_members": report.weekly_active if report.shown else None,
        "weekly_posts": report.weekly_posts if report.shown else None,
        "weekly_comments": report.weekly_comments if report.shown else None,
        "member_share": {
            "too_few": not report.split_shown,
            "posts": report.member_share_posts,
            "comments": report.member_share_comments,
            "threads_started": report.member_share_threads,
            "hosts_do_most_talking": report.hosts_do_most_talking,
        },
        "first_peer_reply": report.first_reply,
        "prompts": (
            {"total": report.prompts[0], "answered": report.prompts[1]} if report.prompts else None
        ),
        "newcomers": (
            {"joined": report.newcomers[0], "wrote_in_first_two_weeks": report.newcomers[1]}
            if report.newcomers
            else None
        ),
        "unanswered_count": report.unanswered_count,
        "unanswered": [
            {"post_id": post.id, "title": post.title, "space": space.slug}
            for post, space in report.unanswered
        ],
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
    tags = showcase.entry_for_post(session, post_id=post_id)
    return {
        "post_id": entry.post_id,
        "origin": str(entry.origin),
        "external_url": entry.external_url or None,
        "tags": tags[1] if tags else [],
        "featured_at": _time(entry.featured_at),
    }


@router.get("/showcase")
def showcase_list(
    session: SessionDep, user: ApiUser, tag: str | None = None, cursor: str | None = None
) -> dict[str, Any]:
    page = showcase.showcase_page(session, user=user, tag=tag, cursor=cursor)
    return {"items": [_showcase_item(c) for c in page.items], "next_cursor": page.next_cursor}


@router.get("/spaces/{slug}/health")
def space_health(
    slug: str, session: SessionDep, user: ApiUser, weeks: int = 12, who: str = "all"
) -> dict[str, Any]:
    access = require_moderate(space_access_by_slug(session, user, slug))
    report = health.health_report(session, space_ids=[access.space.id], weeks=weeks, who=who)
    return {"space": access.space.slug, **_health_out(report)}


@router.get("/health")
def site_health(
    session: SessionDep, user: ApiUser, weeks: int = 12, who: str = "all"
) -> dict[str, Any]:
    if not user.is_admin:
        raise Forbidden("Only administrators may do that")
    report = health.health_report(
        session, space_ids=health.eligible_space_ids(user), weeks=weeks, who=who
    )
    return {"space": None, **_health_out(report)}


@router.get("/spaces/{slug}/scheduled")
def scheduled(slug: str, session: SessionDep, user: ApiUser) -> dict[str, Any]:
    access = require_read(space_access_by_slug(session, user, slug))
    posts = scheduling.scheduled_posts(session, access=access)
    return {
        "items": [
            {"post_id": p.id, "title": p.title, "publish_at": _time(p.published_at)} for p in posts
        ]
    }


@router.get("/me/data")
def my_data(session: SessionDep, user: ApiUser) -> dict[str, Any]:
    return onboarding.export_my_data(session, user=user)
