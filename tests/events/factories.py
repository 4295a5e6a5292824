"""Event test data, made through the events service so its rules hold for test data too."""

from datetime import UTC, date, datetime, timedelta
from typing import Any
from uuid import uuid4
from zoneinfo import ZoneInfo, available_timezones

from sqlmodel import Session

from app.events.models import Event
from app.events.schemas import EventInput
from app.events.service import create_event
from app.people.models import User
from app.spaces.access import access_for
from app.spaces.models import Space


def local(moment: datetime, zone: str = "Europe/Berlin") -> str:
    """An aware moment as the wall-clock text a form would send."""
    return moment.astimezone(ZoneInfo(zone)).strftime("%Y-%m-%dT%H:%M")


def local_day(event: Event) -> date:
    """The day an event starts where it takes place (near midnight UTC, not the UTC date)."""
    starts = event.starts_at if event.starts_at.tzinfo else event.starts_at.replace(tzinfo=UTC)
    return starts.astimezone(ZoneInfo(event.timezone)).date()


def soon(hours: float = 24) -> datetime:
    """A whole-minute moment some hours from now."""
    return (datetime.now(UTC) + timedelta(hours=hours)).replace(second=0, microsecond=0)


def event_input(**overrides: Any) -> EventInput:
    start = overrides.pop("start", soon())
    end = overrides.pop("end", start + timedelta(hours=2))
    zone = overrides.get("timezone", "Europe/Berlin")
    shown_in = zone if zone in available_timezones() else "Europe/Berlin"
    values: dict[str, Any] = {
        "title": "Coffee chat",
        "description": "- Welcome\n- Roadmap\n- Questions",
        "starts_at": local(start, shown_in),
        "ends_at": local(end, shown_in),
        "timezone": zone,
        "location": "Room 4",
    }
    values.update(overrides)
    return EventInput(**values)


def make_event(
    session: Session, *, host: User, space: Space, now: datetime | None = None, **fields: Any
) -> Event:
    event = create_event(
        session, access=access_for(session, host, space), data=event_input(**fields), now=now
    )
    session.commit()
    return event


def make_people(session: Session, n: int) -> list[User]:
    """People who never sign in (no password hashing: many of them stay cheap)."""
    from app.people.service import create_user

    people = [
        create_user(
            session, email=f"guest-{uuid4().hex[:10]}@example.com", display_name=f"Guest {i}"
        )
        for i in range(n)
    ]
    session.commit()
    return people
