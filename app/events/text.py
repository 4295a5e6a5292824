"""Plain-text pieces shared by the discussion post, the protocol template and notifications."""

import re
from datetime import date, datetime
from zoneinfo import ZoneInfo

from app.core.dates import format_moment
from app.core.i18n import get_locale, gettext, ngettext
from app.events.models import Event

_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~])")


def md_escape(text: str) -> str:
    """Text that Markdown shows literally (titles and places typed by people)."""
    return _MD_SPECIAL.sub(r"\\\1", text)


def when_text(
    starts_at: datetime, ends_at: datetime, zone_name: str, locale: str | None = None
) -> str:
    """E.g. "Tue, 10 Mar 2026, 18:00–20:00 (Europe/Berlin)" ("Di., 10. März 2026, 18:00–20:00"),
    in the event's own zone and the current language (or `locale`)."""
    zone = ZoneInfo(zone_name)
    start, end = starts_at.astimezone(zone), ends_at.astimezone(zone)
    locale = locale or get_locale()
    text = format_moment(start, "day_time", locale)
    if end.date() == start.date():
        text += "–" + format_moment(end, "time", locale)
    else:
        text += " – " + format_moment(end, "day_time", locale)
    return f"{text} ({zone_name})"


def day_text(day: date, locale: str | None = None) -> str:
    """E.g. "Tue, 10 Mar 2026" (a day of a series, as its notifications name it)."""
    return format_moment(day, "day", locale or get_locale())


def local_text(moment: datetime, zone_name: str, style: str) -> str:
    """A moment in the event's zone, in a style of app.core.dates, in the current language."""
    return format_moment(moment.astimezone(ZoneInfo(zone_name)), style, get_locale())


def places_text(capacity: int | None, going: int) -> str:
    """How many places are left, or that the event is full ("0 places left" read as an error)."""
    if capacity is None:
        return ""
    if capacity == 0:
        return gettext("Waitlist only: places are not open yet")
    left = max(capacity - going, 0)
    if left == 0:
        return ngettext(
            "Full: %(num)s place is taken", "Full: all %(num)s places are taken", capacity
        )
    return ngettext(
        "%(num)s of %(total)s place left", "%(num)s of %(total)s places left", left, total=capacity
    )


def place_text(event: Event, location: str | None = None) -> str:
    place = event.location if location is None else location
    if place and event.online_url:
        online = gettext("online")
        return f"{place} · {online}"
    return place or (gettext("Online") if event.online_url else "")
