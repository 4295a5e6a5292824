"""Every domain's tables, imported in one place for Alembic and the tests."""

from app.events.models import (
    CalendarToken,
    Event,
    EventFollowup,
    EventOccurrence,
    EventSpaceSetting,
    Rsvp,
)
from app.notifications.models import Notification
from app.people.models import ApiToken, AuditEntry, AuthSession, Invitation, LoginAttempt, User
from app.posts.models import Comment, Mention, Post, Reaction
from app.recognition.models import (
    Award,
    Badge,
    Kudos,
    RecognitionPreference,
    RecognitionSettings,
)
from app.spaces.models import Membership, Space

__all__ = [
    "ApiToken",
    "AuditEntry",
    "AuthSession",
    "Award",
    "Badge",
    "CalendarToken",
    "Comment",
    "Event",
    "EventFollowup",
    "EventOccurrence",
    "EventSpaceSetting",
    "Invitation",
    "Kudos",
    "LoginAttempt",
    "Membership",
    "Mention",
    "Notification",
    "Post",
    "Reaction",
    "RecognitionPreference",
    "RecognitionSettings",
    "Rsvp",
    "Space",
    "User",
]
