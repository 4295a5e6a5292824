"""Event input from forms and the API, checked completely before anything is written.

Start and end are wall-clock times in the chosen IANA zone ("2026-03-10T18:00"); a value with
an offset (API) is taken as the exact moment it names. Every problem is reported at once, one
message per field, with the first one as the error's main message.
"""

import re
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo, available_timezones

from app.core.db import utcnow
from app.core.errors import Invalid
from app.core.forms import FormInput
from app.core.i18n import N_
from app.core.text import text_problem
from app.events.recurrence import build_rule, local_time_exists, parse_rule, to_utc

MAX_TITLE = 200
MAX_DESCRIPTION = 20_000
MAX_LOCATION = 300
MAX_URL = 500
MAX_CAPACITY = 100_000
MAX_DURATION = timedelta(days=14)
# Events take place within ten years of today, either way. A calendar has no use for more, and
# times far outside it broke feeds and pages (year 9999 plus a time zone is past year 9999).
WINDOW_YEARS = 10
OUT_OF_WINDOW = N_("Choose a date within ten years of today")
URL_RE = re.compile(r"^https?://[^\s/$.?#][^\s]*$", re.IGNORECASE)


@lru_cache
def known_zones() -> frozenset[str]:
    return frozenset(available_timezones())


class EventForm(FormInput):
    """The event page's form as sent: every field text, checked by EventInput's rules later.

    A field the form did not send stays None (no value, not an empty one), as the service expects.
    """

    title: str = ""
    description: str = ""
    starts_at: str | None = None
    ends_at: str | None = None
    timezone: str = ""
    location: str = ""
    online_url: str = ""
    capacity: str | None = None
    rrule: str | None = None
    rsvp_deadline: str | None = None
    repeat: str | None = None
    repeat_interval: str | None = None
    repeat_until: str | None = None

    def shown(self) -> dict[str, Any]:
        """What was typed, to fill the form again (fields never sent stay out)."""
        return {name: value for name, value in self.model_dump().items() if value is not None}


class OccurrenceForm(FormInput):
    """One date of a repeating event changed or called off; the service checks the times."""

    starts_at: str = ""
    ends_at: str = ""
    location: str = ""
    cancelled: bool = False

    def change(self) -> dict[str, Any]:
        """The change as the service takes it: a time left empty keeps the series' own."""
        return {
            "starts_at": self.starts_at or None,
            "ends_at": self.ends_at or None,
            "location": self.location,
            "cancelled": self.cancelled,
        }


class RsvpForm(FormInput):
    """An answer to an event (its status), for one date of a repeating event (`on`)."""

    status: str = ""
    on: str = ""


@dataclass
class EventInput:
    """What a person typed (form) or sent (API); nothing is trusted yet."""

    title: str = ""
    description: str = ""
    starts_at: str | datetime | None = None
    ends_at: str | datetime | None = None
    timezone: str = ""
    location: str = ""
    online_url: str = ""
    capacity: str | int | None = None
    rrule: str | None = None
    rsvp_deadline: str | datetime | None = None
    # The form's simple repeat choices; used when `rrule` is not given.
    repeat: str | None = None
    repeat_interval: str | int | None = None
    repeat_until: str | date | None = None


@dataclass
class CleanEvent:
    title: str
    description: str
    starts_at: datetime
    ends_at: datetime
    timezone: str
    location: str
    online_url: str
    capacity: int | None
    rrule: str | None
    rsvp_deadline: datetime | None


@dataclass
class _Errors:
    found: dict[str, str] = field(default_factory=dict)

    def add(self, name: str, message: str) -> None:
        self.found.setdefault(name, message)

    def raise_if_any(self) -> None:
        if self.found:
            name, message = next(iter(self.found.items()))
            raise Invalid(message, field=name, errors=dict(self.found))


def parse_local(
    value: str | datetime | None, zone: ZoneInfo, *, name: str, errors: _Errors
) -> datetime | None:
    """A wall-clock time in `zone` (or an exact time with offset) to aware UTC."""
    if value is None or (isinstance(value, str) and not value.strip()):
        errors.add(name, "Enter a date and time")
        return None
    if isinstance(value, str):
        try:
            parsed = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
        except ValueError:
            errors.add(name, "Enter the date and time as YYYY-MM-DD HH:MM")
            return None
    else:
        parsed = value
    if not in_window(parsed):
        errors.add(name, OUT_OF_WINDOW)
        return None
    if parsed.tzinfo is not None:
        return parsed.astimezone(ZoneInfo("UTC"))
    if not local_time_exists(parsed, zone):
        errors.add(name, "That time does not exist in this time zone (the clocks go forward then)")
        return None
    return to_utc(parsed, zone)


def in_window(moment: datetime | date, now: datetime | None = None) -> bool:
    """Within WINDOW_YEARS of today; checked on the calendar date, before any time zone
    arithmetic, so even year 1 or 9999 cannot overflow."""
    today = (now or utcnow()).date()
    day = moment.date() if isinstance(moment, datetime) else moment
    return abs(day.toordinal() - today.toordinal()) <= 365 * WINDOW_YEARS + 3


def _capacity(value: str | int | None, errors: _Errors) -> int | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    try:
        number = int(str(value).strip())
    except ValueError:
        errors.add("capacity", "Capacity must be a whole number (leave it empty for no limit)")
        return None
    if number < 0:
        errors.add("capacity", "Capacity cannot be negative")
    elif number > MAX_CAPACITY:
        errors.add("capacity", f"Capacity can be at most {MAX_CAPACITY}")
    return number


def _text(
    value: str, name: str, limit: int, errors: _Errors, *, what: str, required: bool = False
) -> str:
    value = (value or "").strip()
    problem = text_problem(value)
    if problem:
        errors.add(name, problem)
    if required and not value:
        errors.add(name, f"{what} cannot be empty")
    if len(value) > limit:
        errors.add(name, f"{what} is too long (at most {limit} characters)")
    return value


def _rule(data: EventInput, starts_at: datetime, zone: ZoneInfo, errors: _Errors) -> str | None:
    try:
        if data.rrule is not None and data.rrule.strip():
            return parse_rule(data.rrule, start=starts_at, zone=zone).text()
        if data.repeat and data.repeat != "none":
            interval = int(str(data.repeat_interval or "1").strip() or "1")
            until = data.repeat_until
            if isinstance(until, str):
                until = date.fromisoformat(until.strip()) if until.strip() else None
            return build_rule(
                repeat=data.repeat, interval=interval, until=until, start=starts_at, zone=zone
            )
    except Invalid as exc:
        errors.add("rrule", exc.message)
    except ValueError:
        errors.add("rrule", "Repeat every N weeks needs a whole number and the end a date")
    return None


def clean_event(data: EventInput) -> CleanEvent:
    """Check everything; raise one Invalid listing each field's problem, or return clean values."""
    errors = _Errors()
    title = _text(data.title, "title", MAX_TITLE, errors, what="The title", required=True)
    description = _text(
        data.description, "description", MAX_DESCRIPTION, errors, what="The description"
    )
    location = _text(data.location, "location", MAX_LOCATION, errors, what="The place")
    online_url = _text(data.online_url, "online_url", MAX_URL, errors, what="The online link")
    if online_url and not URL_RE.match(online_url):
        errors.add("online_url", "The online link must start with https:// or http://")
    zone_name = (data.timezone or "").strip()
    zone = ZoneInfo(zone_name) if zone_name in known_zones() else None
    if zone is None:
        errors.add("timezone", "Unknown time zone; choose one such as Europe/Berlin")
    capacity = _capacity(data.capacity, errors)
    starts_at = ends_at = deadline = None
    rrule = None
    if zone is not None:
        starts_at = parse_local(data.starts_at, zone, name="starts_at", errors=errors)
        ends_at = parse_local(data.ends_at, zone, name="ends_at", errors=errors)
        if starts_at and ends_at:
            if ends_at <= starts_at:
                errors.add("ends_at", "The end must be after the start")
            elif ends_at - starts_at > MAX_DURATION:
                errors.add("ends_at", "An event can last at most 14 days")
        if starts_at is not None:
            rrule = _rule(data, starts_at, zone, errors)
        if data.rsvp_deadline not in (None, ""):
            deadline = parse_local(data.rsvp_deadline, zone, name="rsvp_deadline", errors=errors)
            if rrule:
                errors.add("rsvp_deadline", "An RSVP deadline can only be set for a single event")
            elif deadline and ends_at and deadline > ends_at:
                errors.add("rsvp_deadline", "The RSVP deadline must be before the event ends")
    errors.raise_if_any()
    assert starts_at is not None
    assert ends_at is not None
    assert zone is not None
    return CleanEvent(
        title=title,
        description=description,
        starts_at=starts_at,
        ends_at=ends_at,
        timezone=zone_name,
        location=location,
        online_url=online_url,
        capacity=capacity,
        rrule=rrule,
        rsvp_deadline=deadline,
    )
