"""Domain events: facts a service publishes, and what other domains do because of them.

A service says what happened (`publish(session, PostCreated(...))`); recognition, notifications
(and later search, live updates and mail) subscribe in their own `subscribers.py`. So no domain
calls another domain's side effects, and a new side effect is one subscriber, not an edit in
every service that causes it.

The rules:
- Subscribers run synchronously, in the publisher's transaction (the same session), in the order
  they were registered (the order of SUBSCRIBER_MODULES, then the order in each module). What they
  write commits or rolls back with the cause; there is no "after commit" mode yet.
- A subscriber that raises fails the publisher, and so the whole transaction: a post whose
  notifications cannot be written is not written either. Subscribers raise only for real errors.
- A fact is plain data: ids and the objects the subscribers need (already loaded, so a subscriber
  costs no query to find them). It never carries the session; `publish` hands that over.
- Subscribers may query and write, but must not publish facts that loop back to themselves.
- "Before" facts (`ContributionStarting`) are published before the row they announce is written:
  a subscriber may take a lock there that must precede the write (see app/core/turns.py).

Registration is lazy and complete: the first `publish` in a process imports every module in
SUBSCRIBER_MODULES (tests/test_domain_events.py checks that the list names every module defining
subscribers), so the web app, the CLI, a job or a test calling a service directly all see the
same subscribers. This module imports no domain at run time (the model types below are for the
type checker only), which keeps it in the core, below every domain.
"""

from __future__ import annotations

import importlib
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any, Literal, TypeVar

if TYPE_CHECKING:
    from sqlmodel import Session

    from app.events.models import Event
    from app.notifications.models import Notification
    from app.people.models import User
    from app.posts.models import Comment, Post
    from app.protocols.models import Protocol
    from app.recognition.models import Award, Badge, Kudos
    from app.spaces.models import Space

# Every module that registers subscribers, in the order they run. A new one goes here (a test
# fails until it does). Notifications first: that is the order in which services made these
# calls before the events, so statements and rows come out exactly as they did.
SUBSCRIBER_MODULES = (
    # Only erasure: each domain rewrites what it holds of an erased person (app/people/erasure.py).
    "app.posts.subscribers",
    "app.protocols.subscribers",
    "app.events.subscribers",
    "app.spaces.subscribers",
    "app.notifications.subscribers",
    "app.recognition.subscribers",
    "app.search.subscribers",
    "app.mail.subscribers",
    "app.live.subscribers",
    "app.uploads.subscribers",
    "app.onboarding.subscribers",
)


class DomainEvent:
    """Base of all facts (each a frozen dataclass)."""


E = TypeVar("E", bound=DomainEvent)
Subscriber = Callable[["Session", E], None]

_subscribers: dict[type[DomainEvent], list[Callable[[Session, Any], None]]] = {}
_loaded = False
_loading = threading.Lock()


def subscriber(event_type: type[E]) -> Callable[[Subscriber[E]], Subscriber[E]]:
    """Register the decorated function to run on every published `event_type`."""

    def register(function: Subscriber[E]) -> Subscriber[E]:
        _subscribers.setdefault(event_type, []).append(function)
        return function

    return register


def load_subscribers() -> None:
    """Import every subscriber module once (the first publish does it; cheap afterwards)."""
    global _loaded
    if _loaded:
        return
    with _loading:
        if not _loaded:
            for name in SUBSCRIBER_MODULES:
                importlib.import_module(name)
            _loaded = True


def subscribers_of(event_type: type[DomainEvent]) -> list[Callable[[Session, Any], None]]:
    load_subscribers()
    return list(_subscribers.get(event_type, ()))


def publish(session: Session, event: DomainEvent) -> None:
    """Run every subscriber of this fact now, in this transaction; the first error propagates."""
    for function in subscribers_of(type(event)):
        function(session, event)


# --- posts ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class ContributionStarting(DomainEvent):
    """Published before a post or comment is inserted (recognition takes its turn here)."""

    space_id: int


@dataclass(frozen=True)
class PostCreated(DomainEvent):
    """A post was written; `mentioned`: readers of the space it newly mentions (none while the
    post is scheduled: they hear of it when it is published)."""

    post: Post
    author: User
    mentioned: tuple[User, ...] = ()


@dataclass(frozen=True)
class CommentCreated(DomainEvent):
    post: Post
    comment: Comment
    author: User
    mentioned: tuple[User, ...] = ()


@dataclass(frozen=True)
class PostEdited(DomainEvent):
    """The author changed a post's title, text or publishing time."""

    post: Post


@dataclass(frozen=True)
class PostDeleted(DomainEvent):
    """A post was deleted (its text is already gone from the row)."""

    post: Post


@dataclass(frozen=True)
class CommentEdited(DomainEvent):
    post: Post
    comment: Comment


@dataclass(frozen=True)
class CommentDeleted(DomainEvent):
    post: Post
    comment: Comment


@dataclass(frozen=True)
class PostMentionedPeople(DomainEvent):
    """An edit (or a scheduled post going live) newly mentions readers of the space."""

    post: Post
    author: User
    people: tuple[User, ...]
    comment: Comment | None = None


@dataclass(frozen=True)
class ReactionAdded(DomainEvent):
    post: Post
    user: User
    kind: str


# --- community --------------------------------------------------------------------------------


@dataclass(frozen=True)
class ScheduledPostPublished(DomainEvent):
    post: Post


@dataclass(frozen=True)
class FlagRaised(DomainEvent):
    """Someone flagged a post or comment; `open_flags` counts the open flags on it now."""

    post: Post
    open_flags: int


@dataclass(frozen=True)
class ModerationOutcome(DomainEvent):
    """Content was hidden (by flags or a moderator), warned about, or shown again."""

    post: Post
    target: Post | Comment
    outcome: Literal["auto_hidden", "hidden", "warned", "visible"]
    note: str = ""
    open_flags: int = 0


@dataclass(frozen=True)
class PostFeatured(DomainEvent):
    """A moderator put a post into the showcase for the first time."""

    post: Post
    by: User


@dataclass(frozen=True)
class ShowcaseSuggested(DomainEvent):
    post: Post
    by: User


# --- events (meetups) -------------------------------------------------------------------------


@dataclass(frozen=True)
class EventChanged(DomainEvent):
    """An event (or one day of a series) moved or was cancelled; `people` had answered it.
    `change` is the wording: event_changed, event_cancelled, event_day_changed,
    event_day_cancelled; `params` what that wording needs besides the title."""

    event: Event
    by: User
    people: tuple[int, ...]
    change: str
    url: str
    params: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class EventSaved(DomainEvent):
    """An event was created, edited or cancelled (whatever changed in its row)."""

    event: Event


@dataclass(frozen=True)
class RsvpChanged(DomainEvent):
    """A person answered; `under_way`: the occurrence had already started."""

    event: Event
    user: User
    occurrence_date: date
    status: str
    under_way: bool


@dataclass(frozen=True)
class CheckedIn(DomainEvent):
    event: Event
    user: User
    occurrence_date: date


@dataclass(frozen=True)
class WaitlistPromoted(DomainEvent):
    """Places opened up: these people moved from the waitlist to going."""

    event: Event
    user_ids: tuple[int, ...]
    url: str
    by_id: int | None


@dataclass(frozen=True)
class EventEnded(DomainEvent):
    """An occurrence ended (the follow-up job, once per occurrence)."""

    event: Event
    attendee_ids: tuple[int, ...]
    url: str


@dataclass(frozen=True)
class DatePollDecided(DomainEvent):
    """A date poll became this event; `invited`: those who said "if need be" to its slot;
    `going` and `waitlisted`: those who said yes, now seated (their RSVPs are written)."""

    event: Event
    by: User
    invited: tuple[int, ...]
    going: tuple[int, ...] = ()
    waitlisted: tuple[int, ...] = ()


@dataclass(frozen=True)
class PollAnswered(DomainEvent):
    """Someone answered a quick poll (its counts changed)."""

    poll_id: int


# --- protocols --------------------------------------------------------------------------------


@dataclass(frozen=True)
class ProtocolCreated(DomainEvent):
    protocol: Protocol


@dataclass(frozen=True)
class ProtocolSaved(DomainEvent):
    """The protocol's text changed; `by_id` is None after live typing (no single author)."""

    protocol: Protocol
    by_id: int | None


@dataclass(frozen=True)
class ActionItemAssigned(DomainEvent):
    protocol: Protocol
    assignee_id: int
    text: str
    by_id: int | None


# --- spaces and people ----------------------------------------------------------------------


@dataclass(frozen=True)
class SpaceSaved(DomainEvent):
    """A space was created, renamed, re-described, made more or less visible, or (un)archived."""

    space: Space


@dataclass(frozen=True)
class PersonSaved(DomainEvent):
    """An account was created, its profile changed, or it was (de)activated."""

    user: User


# --- recognition ------------------------------------------------------------------------------


@dataclass(frozen=True)
class KudosGiven(DomainEvent):
    giver: User
    kudos: tuple[Kudos, ...]


@dataclass(frozen=True)
class BadgeAwarded(DomainEvent):
    """An administrator gave a badge by hand (rule-granted badges announce nothing)."""

    award: Award
    badge: Badge
    by: User


# --- people -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class PersonInvited(DomainEvent):
    """An admin invited someone; `token` is the one-time link's secret (never stored)."""

    person: User
    invited_by: User
    token: str


@dataclass(frozen=True)
class PasswordResetRequested(DomainEvent):
    """Someone asked for a password reset link for this person's account; `token` is the
    link's secret (only its hash is stored), `minutes` how long it works."""

    person: User
    token: str
    minutes: int


@dataclass(frozen=True)
class PersonErasing(DomainEvent):
    """An admin erases an account (GDPR Art. 17). Published while the row still exists: each
    domain deletes (`delete_content`) or anonymises what it holds of the person, and removes the
    person's name and @handle from what stays; then the row is deleted and the database's
    cascades remove the rest (memberships, reactions, RSVPs, sessions, tokens, ...)."""

    user: User
    delete_content: bool


# --- notifications ----------------------------------------------------------------------------


@dataclass(frozen=True)
class NotificationCreated(DomainEvent):
    """A notification was added to the session (not flushed yet: it has no id)."""

    notification: Notification
