"""Every domain's tables, imported in one place for Alembic and the tests."""

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
from app.spaces.models import Membership, Space

__all__ = [
    "ActionItem",
    "ApiToken",
    "AuditEntry",
    "AuthSession",
    "Comment",
    "Invitation",
    "LoginAttempt",
    "Membership",
    "Mention",
    "Notification",
    "Post",
    "Protocol",
    "ProtocolContributor",
    "ProtocolRevision",
    "ProtocolUpdate",
    "Reaction",
    "Space",
    "User",
]
