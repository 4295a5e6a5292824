"""Moved to app.access.events (the content policy); these names stay for existing callers."""

from app.access.events import (
    EventAccess,
    event_creators,
    load_event,
    may_create,
    my_events_filter,
    require_create,
    require_organiser,
)

__all__ = [
    "EventAccess",
    "event_creators",
    "load_event",
    "may_create",
    "my_events_filter",
    "require_create",
    "require_organiser",
]
