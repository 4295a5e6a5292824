"""JSON API for the health figures of a space and of the site (aggregates only).

Authenticated with a personal access token (``Authorization: Bearer agora_...``); every answer
goes through the same services and access policy as the pages. Errors are ``{"detail": ...}``.
"""

from typing import Any

from fastapi import APIRouter

from app.api.deps import ApiUser
from app.core.errors import Forbidden
from app.core.security import SessionDep
from app.core.transactions import TransactionalRoute
from app.health import service as health
from app.spaces.access import require_moderate, space_access_by_slug

# Tagged "community" as before the split, so the OpenAPI document stays the same.
router = APIRouter(route_class=TransactionalRoute, tags=["community"])


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
