"""Repeat rules: parse the supported RRULE shapes strictly, expand them in local time, boundedly.

Supported (RFC 5545 RRULE underneath): weekly on one or more weekdays, every N weeks, and
monthly on the n-th (or last) weekday; each may end with COUNT or UNTIL. Anything else is
refused with a clear message, so what we store is what every calendar client understands.

Expansion happens in the event's own time zone on naive wall-clock times and only then is
converted to UTC: a weekly 18:00 meeting stays at 18:00 local across DST changes.
"""

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from dateutil import rrule as du

from app.core.dates import format_moment
from app.core.errors import Invalid
from app.core.i18n import get_locale, gettext

WEEKDAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
MAX_COUNT = 520
MAX_INTERVAL = 52
MAX_SERIES_YEARS = 10
# However wide a window is asked for, one expansion never yields more than this.
MAX_EXPANSION = 1000
SUPPORTED = "weekly, every N weeks, or monthly on a weekday (e.g. FREQ=MONTHLY;BYDAY=2TU)"


@dataclass(frozen=True)
class Rule:
    freq: str  # WEEKLY | MONTHLY
    interval: int
    weekdays: tuple[str, ...]  # WEEKLY: plain days; MONTHLY: one day
    ordinal: int | None  # MONTHLY: 1..4 or -1 (last)
    count: int | None
    until: datetime | None  # aware UTC

    def text(self) -> str:
        """The canonical RRULE value (UNTIL in UTC, as RFC 5545 asks when DTSTART has a TZID)."""
        parts = [f"FREQ={self.freq}"]
        if self.interval != 1:
            parts.append(f"INTERVAL={self.interval}")
        if self.freq == "MONTHLY":
            parts.append(f"BYDAY={self.ordinal}{self.weekdays[0]}")
        else:
            parts.append(f"BYDAY={','.join(self.weekdays)}")
        if self.count is not None:
            parts.append(f"COUNT={self.count}")
        if self.until is not None:
            parts.append(f"UNTIL={self.until.astimezone(UTC).strftime('%Y%m%dT%H%M%SZ')}")
        return ";".join(parts)


def _bad(message: str) -> Invalid:
    return Invalid(message, field="rrule")


def _parse_until(value: str, zone: ZoneInfo) -> datetime:
    try:
        if len(value) == 8:
            # A date alone means "through that day" in the event's zone.
            day = datetime.strptime(value, "%Y%m%d").date()
            return to_utc(datetime.combine(day, time(23, 59, 59)), zone)
        if len(value) == 16 and value.endswith("Z"):
            return datetime.strptime(value, "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)
    except ValueError:
        pass
    raise _bad("UNTIL must be a date (YYYYMMDD) or a UTC time (YYYYMMDDTHHMMSSZ)")


def parse_rule(value: str, *, start: datetime, zone: ZoneInfo) -> Rule:
    """Check an RRULE against the supported shapes and the event's first occurrence."""
    value = value.strip().removeprefix("RRULE:")
    parts: dict[str, str] = {}
    for chunk in value.split(";"):
        key, sep, val = chunk.partition("=")
        key = key.strip().upper()
        if not sep or not key or not val.strip():
            raise _bad(f"The repeat rule is malformed; supported: {SUPPORTED}")
        if key in parts:
            raise _bad(f"{key} appears twice in the repeat rule")
        parts[key] = val.strip().upper()
    unknown = set(parts) - {"FREQ", "INTERVAL", "BYDAY", "COUNT", "UNTIL", "WKST"}
    if unknown:
        raise _bad(f"Unsupported repeat rule part {sorted(unknown)[0]}; supported: {SUPPORTED}")
    freq = parts.get("FREQ")
    if freq not in ("WEEKLY", "MONTHLY"):
        raise _bad(f"Only weekly and monthly repeats are supported; supported: {SUPPORTED}")
    try:
        interval = int(parts.get("INTERVAL", "1"))
        count = int(parts["COUNT"]) if "COUNT" in parts else None
    except ValueError:
        raise _bad("INTERVAL and COUNT must be whole numbers") from None
    if not 1 <= interval <= MAX_INTERVAL:
        raise _bad(f"INTERVAL must be between 1 and {MAX_INTERVAL}")
    if count is not None and not 1 <= count <= MAX_COUNT:
        raise _bad(f"COUNT must be between 1 and {MAX_COUNT}")
    if count is not None and "UNTIL" in parts:
        raise _bad("Use either COUNT or UNTIL, not both")
    until = _parse_until(parts["UNTIL"], zone) if "UNTIL" in parts else None
    local_start = start.astimezone(zone)
    start_day = WEEKDAYS[local_start.weekday()]
    ordinal: int | None = None
    if freq == "WEEKLY":
        days = tuple(d.strip() for d in parts.get("BYDAY", start_day).split(","))
        if any(d not in WEEKDAYS for d in days) or len(set(days)) != len(days):
            raise _bad("BYDAY must list weekdays such as MO,WE for a weekly repeat")
        weekdays = tuple(d for d in WEEKDAYS if d in days)
    else:
        if interval != 1:
            raise _bad("A monthly repeat takes no INTERVAL")
        byday = parts.get("BYDAY", "")
        sign = -1 if byday.startswith("-") else 1
        digits = byday.lstrip("+-")[:-2]
        if not digits.isdigit() or byday[-2:] not in WEEKDAYS:
            raise _bad("A monthly repeat needs BYDAY with a position, e.g. 2TU or -1FR")
        ordinal = sign * int(digits)
        if ordinal not in (1, 2, 3, 4, -1):
            raise _bad("The position in BYDAY must be 1, 2, 3, 4 or -1 (last)")
        weekdays = (byday[-2:],)
    rule = Rule(freq, interval, weekdays, ordinal, count, until)
    if until is not None and until < start:
        raise _bad("The repeat ends (UNTIL) before the first occurrence")
    if until is not None and until > start + timedelta(days=366 * MAX_SERIES_YEARS):
        raise _bad(f"A series can run for at most {MAX_SERIES_YEARS} years")
    first = next(iter(_dateutil_rule(rule, local_start.replace(tzinfo=None), zone)), None)
    if first != local_start.replace(tzinfo=None):
        raise _bad("The start must be the first occurrence of the repeat (same weekday/position)")
    return rule


def _dateutil_rule(rule: Rule, local_start: datetime, zone: ZoneInfo) -> du.rrule:
    byweekday = [getattr(du, d) for d in rule.weekdays]
    if rule.ordinal is not None:
        byweekday = [getattr(du, rule.weekdays[0])(rule.ordinal)]
    until = None
    if rule.until is not None:
        until = rule.until.astimezone(zone).replace(tzinfo=None)
    elif rule.count is None:
        # An open-ended series still has a horizon, so no expansion can run forever.
        until = local_start + timedelta(days=366 * MAX_SERIES_YEARS)
    return du.rrule(
        du.WEEKLY if rule.freq == "WEEKLY" else du.MONTHLY,
        dtstart=local_start,
        interval=rule.interval,
        byweekday=byweekday,
        count=rule.count,
        until=until,
        wkst=du.MO,
    )


def to_utc(local: datetime, zone: ZoneInfo) -> datetime:
    """A naive wall-clock time in `zone` to aware UTC (the earlier one when clocks repeat)."""
    return local.replace(tzinfo=zone, fold=0).astimezone(UTC)


def local_time_exists(local: datetime, zone: ZoneInfo) -> bool:
    """False for wall-clock times skipped when clocks move forward."""
    round_trip = to_utc(local, zone).astimezone(zone).replace(tzinfo=None)
    return round_trip == local.replace(tzinfo=None)


@dataclass(frozen=True)
class Slot:
    """One occurrence as the series defines it (before per-occurrence changes)."""

    occurrence_date: date
    starts_at: datetime
    ends_at: datetime


def expand(
    *,
    rule_text: str | None,
    starts_at: datetime,
    ends_at: datetime,
    zone_name: str,
    after: datetime | None = None,
    before: datetime | None = None,
    limit: int = 50,
) -> Iterator[Slot]:
    """Occurrences that end after `after` and start before `before`, in order, at most `limit`.

    Each start is computed in local time and converted, so wall-clock time survives DST; each
    lasts exactly as long as the first (RFC 5545 3.8.5.3).
    """
    zone = ZoneInfo(zone_name)
    duration = ends_at - starts_at
    limit = min(limit, MAX_EXPANSION)
    local_start = starts_at.astimezone(zone).replace(tzinfo=None)
    if not rule_text:
        slot = Slot(local_start.date(), starts_at, ends_at)
        in_window = (after is None or slot.ends_at > after) and (
            before is None or slot.starts_at < before
        )
        if in_window and limit > 0:
            yield slot
        return
    rule = parse_rule(rule_text, start=starts_at, zone=zone)
    generator = _dateutil_rule(rule, local_start, zone)
    if after is not None:
        # Start looking one duration (plus a DST hour) early, so a running occurrence counts.
        probe = (after - duration - timedelta(hours=2)).astimezone(zone).replace(tzinfo=None)
        candidates = generator.xafter(probe, inc=True) if probe > local_start else iter(generator)
    else:
        candidates = iter(generator)
    produced = 0
    for local in candidates:
        start_utc = to_utc(local, zone)
        if before is not None and start_utc >= before:
            return
        slot = Slot(local.date(), start_utc, start_utc + duration)
        if after is not None and slot.ends_at <= after:
            continue
        yield slot
        produced += 1
        if produced >= limit:
            return


def slot_for_date(
    *, rule_text: str | None, starts_at: datetime, ends_at: datetime, zone_name: str, day: date
) -> Slot | None:
    """The series' occurrence on a given local date, or None if it has none that day."""
    zone = ZoneInfo(zone_name)
    local_start = starts_at.astimezone(zone)
    wall = datetime.combine(day, local_start.timetz().replace(tzinfo=None))
    around = to_utc(wall, zone)
    for slot in expand(
        rule_text=rule_text,
        starts_at=starts_at,
        ends_at=ends_at,
        zone_name=zone_name,
        after=around - timedelta(minutes=1) - (ends_at - starts_at),
        before=around + timedelta(days=1),
        limit=3,
    ):
        if slot.occurrence_date == day:
            return slot
    return None


def neighbour_dates(
    *, rule_text: str, starts_at: datetime, zone_name: str, day: date
) -> tuple[date | None, date | None]:
    """The series dates just before and just after `day` (exact for any interval)."""
    zone = ZoneInfo(zone_name)
    local_start = starts_at.astimezone(zone).replace(tzinfo=None)
    rule = _dateutil_rule(parse_rule(rule_text, start=starts_at, zone=zone), local_start, zone)
    here = datetime.combine(day, local_start.time())
    earlier, later = rule.before(here), rule.after(here)
    return (earlier.date() if earlier else None), (later.date() if later else None)


def series_end(
    *, rule_text: str | None, starts_at: datetime, ends_at: datetime, zone_name: str
) -> datetime | None:
    """End of the last occurrence, or None when the series has no end."""
    if not rule_text:
        return ends_at
    zone = ZoneInfo(zone_name)
    rule = parse_rule(rule_text, start=starts_at, zone=zone)
    if rule.count is None and rule.until is None:
        return None
    local_start = starts_at.astimezone(zone).replace(tzinfo=None)
    last = None
    for last in _dateutil_rule(rule, local_start, zone):  # noqa: B007 - we want the last one
        pass
    assert last is not None
    return to_utc(last, zone) + (ends_at - starts_at)


def build_rule(
    *, repeat: str, interval: int, until: date | None, start: datetime, zone: ZoneInfo
) -> str | None:
    """The RRULE for the simple form choices: none, weekly (every N weeks), monthly weekday."""
    if repeat in ("", "none"):
        return None
    local = start.astimezone(zone)
    day = WEEKDAYS[local.weekday()]
    if repeat == "weekly":
        text = f"FREQ=WEEKLY;INTERVAL={interval};BYDAY={day}"
    elif repeat == "monthly":
        position = (local.day - 1) // 7 + 1
        text = f"FREQ=MONTHLY;BYDAY={-1 if position == 5 else position}{day}"
    else:
        raise _bad("Choose how the event repeats")
    if until is not None:
        text += f";UNTIL={until.strftime('%Y%m%d')}"
    return parse_rule(text, start=start, zone=zone).text()


def form_values(rule_text: str | None, *, start: datetime, zone: ZoneInfo) -> dict[str, object]:
    """The form choices (repeat, interval, until date) that show a stored rule."""
    if not rule_text:
        return {"repeat": "none", "interval": 1, "until": ""}
    rule = parse_rule(rule_text, start=start, zone=zone)
    until = rule.until.astimezone(zone).date().isoformat() if rule.until else ""
    return {
        "repeat": "weekly" if rule.freq == "WEEKLY" else "monthly",
        "interval": rule.interval,
        "until": until,
    }


_DAY_NAMES = {
    "MO": "Monday",
    "TU": "Tuesday",
    "WE": "Wednesday",
    "TH": "Thursday",
    "FR": "Friday",
    "SA": "Saturday",
    "SU": "Sunday",
}
_POSITIONS = {1: "first", 2: "second", 3: "third", 4: "fourth", -1: "last"}


def describe(rule_text: str | None, *, start: datetime, zone_name: str) -> str:
    """A readable sentence for a rule, e.g. "Every 2 weeks on Tuesday"."""
    if not rule_text:
        return ""
    zone = ZoneInfo(zone_name)
    rule = parse_rule(rule_text, start=start, zone=zone)
    days = ", ".join(gettext(_DAY_NAMES[d]) for d in rule.weekdays)
    if rule.freq == "MONTHLY":
        assert rule.ordinal is not None
        text = gettext("Monthly on the %(position)s %(day)s") % {
            "position": gettext(_POSITIONS[rule.ordinal]),
            "day": days,
        }
    elif rule.interval == 1:
        text = gettext("Weekly on %(days)s") % {"days": days}
    else:
        text = gettext("Every %(num)s weeks on %(days)s") % {"num": rule.interval, "days": days}
    if rule.count is not None:
        text += ", " + gettext("%(num)s times") % {"num": rule.count}
    elif rule.until is not None:
        text += ", " + gettext("until %(date)s") % {
            "date": format_moment(rule.until.astimezone(zone).date(), "date", get_locale())
        }
    return text
