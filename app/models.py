"""Every domain's tables, imported in one place for Alembic and the tests."""

from app.announcements.models import SitePin
from app.events.models import (
    CalendarToken,
    Event,
    EventFollowup,
    EventOccurrence,
    EventSpaceSetting,
    Rsvp,
)
from app.images.models import StoredImage
from app.live.models import LiveNotice
from app.mail.models import NotificationSettings, OutboxMessage
from app.moderation.models import Flag
from app.notifications.models import Notification
from app.onboarding.models import OnboardingProgress
from app.people.models import (
    ApiToken,
    AuditEntry,
    AuthSession,
    Invitation,
    LoginAttempt,
    PeopleImport,
    User,
)
from app.people.sso.models import OidcFlow, OidcLink
from app.polls.models import (
    DatePoll,
    DatePollAnswer,
    DatePollOption,
    Poll,
    PollBallot,
    PollOption,
    PollVote,
)
from app.posts.models import Comment, Mention, Post, PostRevision, Reaction
from app.prompts.models import PromptDetails
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
from app.search.models import SearchDocument
from app.showcase.models import ShowcaseEntry, ShowcaseSuggestion, ShowcaseTag
from app.spaces.models import Membership, Space
from app.uploads.models import Upload, UploadSettings

__all__ = [
    "ActionItem",
    "ApiToken",
    "AuditEntry",
    "AuthSession",
    "Award",
    "Badge",
    "CalendarToken",
    "Comment",
    "DatePoll",
    "DatePollAnswer",
    "DatePollOption",
    "Event",
    "EventFollowup",
    "EventOccurrence",
    "EventSpaceSetting",
    "Flag",
    "Invitation",
    "Kudos",
    "LiveNotice",
    "LoginAttempt",
    "Membership",
    "Mention",
    "Notification",
    "NotificationSettings",
    "OidcFlow",
    "OidcLink",
    "OnboardingProgress",
    "OutboxMessage",
    "PeopleImport",
    "Poll",
    "PollBallot",
    "PollOption",
    "PollVote",
    "Post",
    "PostRevision",
    "PromptDetails",
    "Protocol",
    "ProtocolContributor",
    "ProtocolRevision",
    "ProtocolUpdate",
    "Reaction",
    "RecognitionPreference",
    "RecognitionSettings",
    "Rsvp",
    "SearchDocument",
    "ShowcaseEntry",
    "ShowcaseSuggestion",
    "ShowcaseTag",
    "SitePin",
    "Space",
    "StoredImage",
    "Upload",
    "UploadSettings",
    "User",
]
