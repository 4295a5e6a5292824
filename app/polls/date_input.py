"""Date poll input from the form and the API, checked completely before anything is written.

Slots are wall-clock times in the proposer's zone (or exact times with an offset), like events.
"""

from dataclasses import dataclass, field
from datetime import datetime
from zoneinfo import ZoneInfo

from app.core.db import utcnow
from app.core.i18n import N_
from app.events.schemas import (
    MAX_DESCRIPTION,
    MAX_DURATION,
    MAX_TITLE,
    _Errors,
    _text,
    known_zones,
    parse_local,
)
from app.polls.models import MAX_OPTIONS

NO_OPTIONS = N_("Propose at least one date")
TOO_MANY_OPTIONS = N_("Propose at most 20 dates")
DUPLICATE_SLOT = N_("The same date is proposed twice")
END_BEFORE_START = N_("The end must be after the start")
TOO_LONG = N_("A date can last at most 14 days")
CLOSES_IN_PAST = N_("The deadline must be in the future")
UNKNOWN_ZONE = N_("Unknown time zone; choose one such as Europe/Berlin")


@dataclass
class SlotInput:
    starts_at: str | datetime | None = None
    ends_at: str | datetime | None = None


@dataclass
class DatePollInput:
    title: str = ""
    description: str = ""
    timezone: str = ""
    options: list[SlotInput] = field(default_factory=list)
    closes_at: str | datetime | None = None


@dataclass
class CleanDatePoll:
    title: str
    description: str
    timezone: str
    slots: list[tuple[datetime, datetime | None]]
    closes_at: datetime | None


def _slots(
    options: list[SlotInput], zone: ZoneInfo, errors: _Errors
) -> list[tuple[datetime, datetime | None]]:
    if not options:
        errors.add("options", NO_OPTIONS)
    if len(options) > MAX_OPTIONS:
        errors.add("options", TOO_MANY_OPTIONS)
        return []
    slots: list[tuple[datetime, datetime | None]] = []
    for number, option in enumerate(options):
        name = f"options.{number}"
        starts = parse_local(option.starts_at, zone, name=f"{name}.starts_at", errors=errors)
        ends = None
        if option.ends_at not in (None, ""):
            ends = parse_local(option.ends_at, zone, name=f"{name}.ends_at", errors=errors)
        if starts is None:
            continue
        if ends is not None and ends <= starts:
            errors.add(f"{name}.ends_at", END_BEFORE_START)
        elif ends is not None and ends - starts > MAX_DURATION:
            errors.add(f"{name}.ends_at", TOO_LONG)
        if (starts, ends) in slots:
            errors.add(name, DUPLICATE_SLOT)
        slots.append((starts, ends))
    return slots


def clean_date_poll(data: DatePollInput, *, now: datetime | None = None) -> CleanDatePoll:
    """Check everything; raise one Invalid naming each field's problem, or return clean values."""
    errors = _Errors()
    title = _text(data.title, "title", MAX_TITLE, errors, what="The title", required=True)
    description = _text(
        data.description, "description", MAX_DESCRIPTION, errors, what="The description"
    )
    zone_name = (data.timezone or "").strip()
    zone = ZoneInfo(zone_name) if zone_name in known_zones() else None
    slots: list[tuple[datetime, datetime | None]] = []
    closes_at = None
    if zone is None:
        errors.add("timezone", UNKNOWN_ZONE)
    else:
        slots = _slots(data.options, zone, errors)
        if data.closes_at not in (None, ""):
            closes_at = parse_local(data.closes_at, zone, name="closes_at", errors=errors)
            if closes_at is not None and closes_at <= (now or utcnow()):
                errors.add("closes_at", CLOSES_IN_PAST)
    errors.raise_if_any()
    return CleanDatePoll(
        title=title,
        description=description,
        timezone=zone_name,
        slots=slots,
        closes_at=closes_at,
    )
