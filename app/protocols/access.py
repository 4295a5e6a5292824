"""Moved to app.access.protocols (the content policy); these names stay for existing callers."""

from app.access.protocols import (
    READERS_STATEMENT,
    WRITERS_STATEMENT,
    can_edit,
    protocol_access,
    readable_protocols_filter,
    reader_ids,
    require_edit,
)

__all__ = [
    "READERS_STATEMENT",
    "WRITERS_STATEMENT",
    "can_edit",
    "protocol_access",
    "readable_protocols_filter",
    "reader_ids",
    "require_edit",
]
