"""The health pages: one per space for its hosts, one for the site for admins."""

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from app.core.i18n import gettext
from app.core.security import AdminUser, CurrentUser, SessionDep, csrf_protect
from app.core.transactions import TransactionalRoute
from app.health import service as health
from app.health.charts import bar_chart, hbar_chart, percent, week_labels
from app.spaces.access import SpaceAccess, require_moderate, space_access_by_slug
from app.spaces.service import member_count
from app.web.templates import render

router = APIRouter(route_class=TransactionalRoute, dependencies=[Depends(csrf_protect)])


def reply_rows(report: health.HealthReport) -> list[tuple[str, int]]:
    names = {
        "1h": gettext("within an hour"),
        "4h": gettext("within 4 hours"),
        "1d": gettext("within a day"),
        "3d": gettext("within 3 days"),
        "later": gettext("later"),
        "none": gettext("no peer reply yet"),
    }
    counts = report.first_reply or {}
    return [(names[key], counts.get(key, 0)) for key in health.REPLY_BUCKETS]


def _context(report: health.HealthReport) -> dict:
    labels = week_labels(report.weeks)
    charts = {}
    if report.shown:
        charts = {
            "active": bar_chart(report.weekly_active, labels),
            "posts": bar_chart(report.weekly_posts, labels),
            "comments": bar_chart(report.weekly_comments, labels),
            "replies": hbar_chart(reply_rows(report)),
        }
    return {
        "report": report,
        "charts": charts,
        "week_labels": labels,
        "percent": percent,
        "week_choices": health.WEEK_CHOICES,
        "who_choices": health.WHO_CHOICES,
        "min_group": health.MIN_GROUP,
    }


@router.get("/spaces/{slug}/health")
def space_health(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    slug: str,
    weeks: int = 12,
    who: str = "all",
) -> Response:
    access = require_moderate(space_access_by_slug(session, user, slug))
    report = health.health_report(session, space_ids=[access.space.id], weeks=weeks, who=who)
    return render(request, "health/health.html", _space_context(session, access, report, slug))


def _space_context(
    session: SessionDep, access: SpaceAccess, report: health.HealthReport, slug: str
) -> dict:
    """A space's figures, in the space's frame, the form asking its own page again."""
    context = _context(report)
    context.update(
        access=access,
        space=access.space,
        member_count=member_count(session, access.space.id),
        action=f"/spaces/{slug}/health",
    )
    return context


@router.get("/admin/health")
def site_health(
    request: Request, session: SessionDep, user: AdminUser, weeks: int = 12, who: str = "all"
) -> Response:
    report = health.health_report(
        session, space_ids=health.eligible_space_ids(user), weeks=weeks, who=who
    )
    context = _context(report)
    context.update(space=None, action="/admin/health")
    return render(request, "health/health.html", context)
