"""Emails that follow from notifications: queued in the transaction that created them."""

from dataclasses import replace

from sqlmodel import Session, col, select

from app.core.config import get_settings
from app.core.domain_events import (
    NotificationCreated,
    PasswordResetRequested,
    PersonErasing,
    PersonInvited,
    subscriber,
)
from app.core.i18n import in_locale
from app.events.ics import build_calendar
from app.events.models import Event, EventOccurrence
from app.mail.compose import absolute, draft
from app.mail.models import NotificationSettings
from app.mail.outbox import forget_person, queue
from app.mail.preferences import KIND_OF_NOTIFICATION, choices_of
from app.notifications.models import Notification
from app.notifications.service import shown_text
from app.people.erasure import name_terms
from app.people.models import User
from app.posts.models import Comment, Post
from app.recognition.models import Kudos

EXCERPT = 1000


def _subject_and_excerpt(session: Session, notification: Notification) -> tuple[str | None, str]:
    # Already in the session (the cause loaded them): these cost no query as a rule.
    if notification.kudos_id is not None:
        kudos = session.get(Kudos, notification.kudos_id)
        return (kudos.message, "") if kudos else (None, "")
    if notification.post_id is None:
        return None, ""
    post = session.get(Post, notification.post_id)
    if post is None:
        return None, ""
    excerpt = post.body
    if notification.comment_id is not None:
        comment = session.get(Comment, notification.comment_id)
        excerpt = comment.body if comment else ""
    if len(excerpt) > EXCERPT:
        excerpt = excerpt[:EXCERPT].rstrip() + " …"
    return post.title, excerpt


def _calendar(session: Session, notification: Notification) -> str | None:
    """The event an event's notification is about, as a calendar file (with its changed days)."""
    event_id = str((notification.params or {}).get("event_id", ""))
    event = session.get(Event, int(event_id)) if event_id.isdigit() else None
    if event is None:
        return None
    overrides = session.exec(
        select(EventOccurrence).where(col(EventOccurrence.event_id) == event.id)
    ).all()
    return build_calendar(
        name=event.title,
        uid=f"event-file-{event.id}",
        events=[event],
        overrides=overrides,
        zone_hint=event.timezone,
    ).decode()


@subscriber(NotificationCreated)
def email_right_away(session: Session, fact: NotificationCreated) -> None:
    """Queue the email of a notification whose recipient wants its kind right away."""
    notification = fact.notification
    email_kind = KIND_OF_NOTIFICATION.get(notification.kind)
    if email_kind is None or not get_settings().mail_enabled:
        return
    found = session.exec(
        select(User, NotificationSettings)
        .outerjoin(NotificationSettings, col(NotificationSettings.user_id) == User.id)
        .where(col(User.id) == notification.user_id)
    ).first()
    if found is None:
        return
    person, settings_row = found
    if not person.is_active or choices_of(settings_row).mode(email_kind) != "immediately":
        return
    actor = session.get(User, notification.actor_id) if notification.actor_id else None
    subject, excerpt = _subject_and_excerpt(session, notification)
    with in_locale(person.locale):
        text = shown_text(notification, actor, subject)
    message = draft(
        "notification",
        to_address=person.email,
        locale=person.locale,
        user_id=person.id,
        unsubscribe_kind=email_kind,
        name=person.display_name,
        text=text,
        excerpt=excerpt,
        url=absolute(notification.url),
    )
    if email_kind == "event":
        message = replace(message, ics=_calendar(session, notification))
    queue(
        session,
        message,
        kind=email_kind,
        user_id=person.id,
        space_id=notification.space_id,
    )


@subscriber(PersonInvited)
def email_invitation(session: Session, fact: PersonInvited) -> None:
    """The invitation link goes to the person by email too (the admin still sees it)."""
    settings = get_settings()
    if not settings.mail_enabled:
        return
    person = fact.person
    message = draft(
        "invitation",
        to_address=person.email,
        locale=person.locale,
        name=person.display_name,
        inviter=fact.invited_by.display_name,
        url=absolute(f"/invite/{fact.token}"),
        days=settings.invitation_days,
    )
    queue(session, message, kind="invitation", user_id=person.id)


@subscriber(PasswordResetRequested)
def email_password_reset(session: Session, fact: PasswordResetRequested) -> None:
    """The reset link goes only by email, in the person's language, and only to their address."""
    person = fact.person
    message = draft(
        "password_reset",
        to_address=person.email,
        locale=person.locale,
        name=person.display_name,
        url=absolute(f"/reset/{fact.token}"),
        minutes=fact.minutes,
    )
    queue(session, message, kind="password_reset", user_id=person.id)


@subscriber(PersonErasing)
def person_erasing(session: Session, fact: PersonErasing) -> None:
    person = fact.user
    forget_person(
        session,
        user_id=person.id,
        email=person.email,
        names=name_terms(person),
    )
