"""Every domain's tables, imported in one place for Alembic and the tests."""

from app.community.models import (
    Flag,
    OnboardingProgress,
    PromptDetails,
    ShowcaseEntry,
    ShowcaseSuggestion,
    ShowcaseTag,
    SitePin,
)
from app.events.models import (
    CalendarToken,
    Event,
    EventFollowup,
    EventOccurrence,
    EventSpaceSetting,
    Rsvp,
)
from app.mail.models import NotificationSettings, OutboxMessage
from app.notifications.models import Notification
from app.people.models import ApiToken, AuditEntry, AuthSession, Invitation, LoginAttempt, User
from app.posts.models import Comment, Mention, Post, Reaction
from app.protocols.models import (
    ActionItem,
    Protocol,
    ProtocolContributor,
    ProtocolRevision,
    ProtocolUpdate,
)
from app.recognition.models import (
    Award,
    Badge,
    Kudos,
    RecognitionPreference,
    RecognitionSettings,
)
from app.spaces.models import Membership, Space

__all__ = [
    "ActionItem",
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
    "Flag",
    "Invitation",
    "Kudos",
    "LoginAttempt",
    "Membership",
    "Mention",
    "Notification",
    "NotificationSettings",
    "OnboardingProgress",
    "OutboxMessage",
    "Post",
    "PromptDetails",
    "Protocol",
    "ProtocolContributor",
    "ProtocolRevision",
    "ProtocolUpdate",
    "Reaction",
    "RecognitionPreference",
    "RecognitionSettings",
    "Rsvp",
    "ShowcaseEntry",
    "ShowcaseSuggestion",
    "ShowcaseTag",
    "SitePin",
    "Space",
    "User",
]
