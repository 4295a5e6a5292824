"""When a scheduled post goes live: the form's text to a time, the author's wall time to UTC.

Part of posts (creating and editing a post resolves it); the scheduled-posts list and the
publishing job are in prompts (app/prompts/scheduling.py, app/prompts/jobs.py).
"""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from app.core.db import utcnow
from app.core.errors import Invalid
from app.core.i18n import N_

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
