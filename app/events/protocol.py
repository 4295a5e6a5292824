"""The meeting protocol's pre-filled start: title, date, place, attendees and agenda.

Until the protocols capability is wired in, the event page offers this Markdown to copy. The
wiring only needs `protocol_prefill` (what to put in) and `link_protocol` (remember which
protocol belongs to the event).
"""

import re
from datetime import date, datetime

from sqlmodel import Session

from app.core.db import utcnow
from app.core.i18n import gettext
from app.events.models import Event
from app.events.occurrences import Occurrence, current_occurrence, occurrence_on
from app.events.rsvp import attended
from app.events.text import when_text

_LIST_ITEM = re.compile(r"^\s*(?:[-*+]|\d+[.)])\s+(.+?)\s*$")
_HEADING = re.compile(r"^\s*#{1,6}\s+(.+?)\s*#*\s*$")


def agenda_from(description: str) -> list[str]:
    """Agenda points: the description's list items and headings, else its non-empty lines."""
    lines = description.splitlines()
    points = []
    for line in lines:
        match = _LIST_ITEM.match(line) or _HEADING.match(line)
        if match:
            points.append(match.group(1))
    if points:
        return points
    return [line.strip() for line in lines if line.strip()][:20]


def protocol_markdown(
    *, title: str, when: str, place: str, attendees: list[str], agenda: list[str]
) -> str:
    """The protocol template as Markdown (pure: everything it shows comes in as arguments)."""
    # gettext() outside the f-strings: message extraction does not look inside them, and the
    # words never reached the catalogue ("Date" and "Place" stayed English in German).
    date_label, place_label, nobody = gettext("Date"), gettext("Place"), gettext("(nobody yet)")
    attendees_heading, agenda_heading = gettext("Attendees"), gettext("Agenda")
    decisions_heading, items_heading = gettext("Decisions"), gettext("Action items")
    out = [f"# {title}", "", f"**{date_label}:** {when}"]
    if place:
        out.append(f"**{place_label}:** {place}")
    out += ["", f"## {attendees_heading}", ""]
    out += [f"- {name}" for name in attendees] or [f"- {nobody}"]
    out += ["", f"## {agenda_heading}", ""]
    out += [f"{n}. {point}" for n, point in enumerate(agenda, 1)] or ["1. "]
    out += ["", f"## {decisions_heading}", "", "- ", "", f"## {items_heading}", ""]
    out += ["- [ ] ", ""]
    return "\n".join(out)


def protocol_prefill(
    session: Session,
    *,
    event: Event,
    occurrence_date: date | None = None,
    now: datetime | None = None,
) -> tuple[str, str]:
    """(title, markdown) for the event's protocol: attendees are those going or checked in."""
    occ: Occurrence = (
        occurrence_on(session, event=event, day=occurrence_date)
        if occurrence_date
        else current_occurrence(session, event=event, now=now or utcnow())
    )
    people = attended(session, event_id=event.id, day=occ.occurrence_date)  # type: ignore[arg-type]
    when = when_text(occ.starts_at, occ.ends_at, event.timezone)
    protocol_word = gettext("Protocol")
    title = f"{protocol_word}: {event.title} ({occ.occurrence_date.isoformat()})"[:200]
    place = occ.location
    if event.online_url:
        place = f"{place} ({event.online_url})" if place else event.online_url
    markdown = protocol_markdown(
        title=title,
        when=when,
        place=place,
        attendees=[p.display_name for p in people],
        agenda=agenda_from(event.description),
    )
    return title, markdown


def link_protocol(session: Session, *, event: Event, protocol_id: int) -> Event:
    """Remember the protocol started for this event (set by the protocols capability)."""
    event.protocol_id = protocol_id
    session.add(event)
    session.flush()
    return event
