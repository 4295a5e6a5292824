"""Scheduled posts: publish times in the author's zone, the list of what is waiting, the job.

A scheduled post is an ordinary post whose ``published_at`` lies in the future: streams leave it
out until then, so it appears on time whatever any job does. The publishing job (jobs.py) only
announces it once it is live.
"""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlmodel import Session, col, select

from app.db import utcnow
from app.errors import Invalid
from app.i18n import N_
from app.posts.models import Post
from app.spaces.access import SpaceAccess, require_read

# A time picked "now" in the form is a few seconds old by the time it arrives: publish it at once.
PAST_TOLERANCE = timedelta(minutes=5)
MAX_AHEAD = timedelta(days=366)
BAD_TIME = N_("Enter a date and time, e.g. 2030-05-17 09:30")


def parse_publish_at(text: str) -> datetime | None:
    """Form or API text to a datetime (naive: wall time in the author's zone); empty is None."""
    text = text.strip()
    if not text:
        return None
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError as exc:
        raise Invalid(BAD_TIME, field="publish_at") from exc


def resolve_publish_at(value: datetime, *, zone: str, now: datetime | None = None) -> datetime:
    """The UTC instant a post goes live. A time without zone is wall time in the author's zone."""
    now = now or utcnow()
    if value.tzinfo is None:
        try:
            tz = ZoneInfo(zone)
        except (ZoneInfoNotFoundError, ValueError):
            tz = ZoneInfo("UTC")
        local = value.replace(tzinfo=tz)  # fold=0: in the repeated autumn hour, the first one
        if local.astimezone(UTC).astimezone(tz).replace(tzinfo=None) != value:
            raise Invalid(
                "That time does not exist in your time zone: the clocks change then",
                field="publish_at",
            )
        value = local
    value = value.astimezone(UTC)
    if value < now - PAST_TOLERANCE:
        raise Invalid("Choose a time in the future", field="publish_at")
    if value > now + MAX_AHEAD:
        raise Invalid("Choose a time within the next year", field="publish_at")
    return max(value, now)


def scheduled_posts(session: Session, *, access: SpaceAccess, limit: int = 100) -> list[Post]:
    """Posts waiting to be published in a space: hosts see all of them, others their own."""
    require_read(access)
    query = select(Post).where(
        col(Post.space_id) == access.space.id,
        col(Post.deleted_at).is_(None),
        col(Post.published_at) > utcnow(),
    )
    if not access.can_moderate:
        query = query.where(col(Post.author_id) == access.user.id)
    return list(session.exec(query.order_by(col(Post.published_at), col(Post.id)).limit(limit)))
