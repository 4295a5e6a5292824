"""iCalendar (RFC 5545) output built with the `icalendar` library.

Times are written in the event's own zone with a VTIMEZONE, so a weekly series keeps its local
wall-clock time across DST in every client. Each event has a stable UID; SEQUENCE follows the
event's change counter; a cancelled event or occurrence says STATUS:CANCELLED rather than
vanishing, so subscribed calendars remove it too. Changed single occurrences are sent as
RECURRENCE-ID components of the same UID.
"""

import logging
from collections.abc import Iterable
from datetime import date, datetime, timedelta
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from icalendar import Calendar, Timezone, vRecur
from icalendar import Event as VEvent

from app.core.config import get_settings
from app.events.models import Event, EventOccurrence
from app.events.recurrence import slot_for_date
from app.posts.plain_text import markdown_to_text

PRODID = "-//Agora//Agora Events//EN"
# Time zone rules cover at most this many years either side of today.
ZONE_YEARS = 25
logger = logging.getLogger(__name__)


def _host() -> str:
    return urlsplit(get_settings().base_url).hostname or "agora.local"


def event_uid(event: Event) -> str:
    return f"event-{event.id}@{_host()}"


def event_url(event: Event) -> str:
    return f"{get_settings().base_url.rstrip('/')}/events/{event.id}"


def _local(moment: datetime, zone: ZoneInfo) -> datetime:
    return moment.astimezone(zone)


def _description(event: Event) -> str:
    # DESCRIPTION is plain text (RFC 5545): calendars show Markdown's asterisks literally.
    text = markdown_to_text(event.description)
    parts = [text] if text else []
    if event.online_url:
        parts.append(f"Online: {event.online_url}")
    parts.append(event_url(event))
    return "\n\n".join(parts)


def _component(event: Event, zone: ZoneInfo) -> VEvent:
    component = VEvent.new(
        uid=event_uid(event),
        summary=event.title,
        start=_local(event.starts_at, zone),
        end=_local(event.ends_at, zone),
        stamp=event.updated_at,
        created=event.created_at,
        last_modified=event.updated_at,
        sequence=event.sequence,
        description=_description(event),
        location=event.location or event.online_url or None,
        url=event_url(event),
    )
    component.add("status", "CANCELLED" if event.cancelled_at else "CONFIRMED")
    if event.rrule:
        component.add("rrule", vRecur.from_ical(event.rrule))
    return component


def _override_component(event: Event, override: EventOccurrence, zone: ZoneInfo) -> VEvent | None:
    slot = slot_for_date(
        rule_text=event.rrule,
        starts_at=event.starts_at,
        ends_at=event.ends_at,
        zone_name=event.timezone,
        day=override.occurrence_date,
    )
    if slot is None:
        return None
    component = VEvent.new(
        uid=event_uid(event),
        summary=event.title,
        start=_local(override.starts_at or slot.starts_at, zone),
        end=_local(override.ends_at or slot.ends_at, zone),
        stamp=max(event.updated_at, override.updated_at),
        last_modified=max(event.updated_at, override.updated_at),
        sequence=event.sequence,
        description=_description(event),
        location=(override.location if override.location is not None else event.location)
        or event.online_url
        or None,
        url=f"{event_url(event)}?on={override.occurrence_date.isoformat()}",
        recurrence_id=_local(slot.starts_at, zone),
    )
    cancelled = event.cancelled_at or override.cancelled_at
    component.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    return component


def _components(event: Event, overrides: list[EventOccurrence]) -> list[VEvent]:
    """The event and its changed occurrences; raises when a date cannot be written."""
    zone = ZoneInfo(event.timezone)
    components = [_component(event, zone)]
    for override in sorted(overrides, key=lambda o: o.occurrence_date):
        component = _override_component(event, override, zone)
        if component is not None:
            components.append(component)
    return components


def build_calendar(
    *,
    name: str,
    uid: str,
    events: Iterable[Event],
    overrides: Iterable[EventOccurrence] = (),
    zone_hint: str,
) -> bytes:
    """A VCALENDAR for events (series with their changed occurrences).

    It always carries a VTIMEZONE (for `zone_hint` at least), so even an empty feed holds the
    one component RFC 5545 requires.
    """
    events = list(events)
    by_event: dict[int, list[EventOccurrence]] = {}
    for override in overrides:
        by_event.setdefault(override.event_id, []).append(override)
    calendar = Calendar.new(prodid=PRODID, name=name, uid=uid, refresh_interval=timedelta(hours=1))
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-timezone", zone_hint)
    calendar.add("x-published-ttl", "PT1H")
    this_year = date.today().year
    first_year, last_year = this_year - 1, this_year + 2
    for event in events:
        try:
            components = _components(event, by_event.get(event.id or 0, []))
            end = event.series_ends_at or (event.starts_at + timedelta(days=3660))
        except (ValueError, OverflowError, KeyError, LookupError) as exc:
            # One event that cannot be written (a date past year 9999 in its zone, stored before
            # dates were bounded) must not take the whole feed down for everyone subscribed.
            logger.warning("Calendar %s leaves out event %s: %s", uid, event.id, exc)
            continue
        for component in components:
            calendar.add_component(component)
        # Time zone rules are written for the years the events need, within a bound: decades of
        # transitions for one odd date would make every fetch of the feed slow.
        first_year = max(min(first_year, event.starts_at.year - 1), this_year - ZONE_YEARS)
        last_year = min(max(last_year, end.year + 1), this_year + ZONE_YEARS)
    if zone_hint not in calendar.get_used_tzids():
        # Keeps even an empty calendar valid (RFC 5545 wants at least one component).
        calendar.add_component(
            _zone_component(zone_hint, date(first_year, 1, 1), date(last_year, 1, 1))
        )
    calendar.add_missing_timezones(
        first_date=date(first_year, 1, 1), last_date=date(last_year, 1, 1)
    )
    return calendar.to_ical()


def _zone_component(zone_name: str, first: date, last: date) -> Timezone:
    return Timezone.from_tzinfo(
        ZoneInfo(zone_name), tzid=zone_name, first_date=first, last_date=last
    )
