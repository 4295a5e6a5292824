"""Plain-text pieces shared by the discussion post, the protocol template and notifications."""

import re
from datetime import date, datetime
from zoneinfo import ZoneInfo

from babel.dates import format_date, format_datetime, format_time

from app.events.models import Event
from app.i18n import get_locale, gettext

_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~])")


def md_escape(text: str) -> str:
    """Text that Markdown shows literally (titles and places typed by people)."""
    return _MD_SPECIAL.sub(r"\\\1", text)


def when_text(
    starts_at: datetime, ends_at: datetime, zone_name: str, locale: str | None = None
) -> str:
    """E.g. "Tue, 10 Mar 2026, 18:00–20:00 (Europe/Berlin)", in the event's own zone and the
    current language (or `locale`)."""
    zone = ZoneInfo(zone_name)
    start, end = starts_at.astimezone(zone), ends_at.astimezone(zone)
    locale = locale or get_locale()
    text = format_datetime(start, "EEE, d MMM y, HH:mm", locale=locale)
    if end.date() == start.date():
        text += "–" + format_time(end, "HH:mm", locale=locale)
    else:
        text += " – " + format_datetime(end, "EEE, d MMM y, HH:mm", locale=locale)
    return f"{text} ({zone_name})"


def day_text(day: date, locale: str | None = None) -> str:
    """E.g. "Tue, 10 Mar 2026" (a day of a series, as its notifications name it)."""
    return format_date(day, "EEE, d MMM y", locale=locale or get_locale())


def date_text(moment: datetime, zone_name: str) -> str:
    return format_datetime(
        moment.astimezone(ZoneInfo(zone_name)), "EEE, d MMM y", locale=get_locale()
    )


def place_text(event: Event, location: str | None = None) -> str:
    place = event.location if location is None else location
    if place and event.online_url:
        return f"{place} · {gettext('online')}"
    return place or (gettext("Online") if event.online_url else "")
