"""Digests of what a person missed: assembled when due, from what they may read *now*.

Every part starts from the access policy (readable spaces) at the moment the digest is built,
so content of a space the person left, or never belonged to, is never in it. A period is claimed
by a compare-and-set of `last_digest_at` in the transaction that queues the digest: two
processes never send one period twice, and the next digest starts where this one ended.
"""

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import func, or_, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Session, col, select

from app.access.posts import comment_shown, readable_and_shown
from app.core.config import get_settings
from app.core.dates import format_moment
from app.core.db import utcnow
from app.core.i18n import get_locale, in_locale
from app.events.models import Event, Rsvp
from app.mail.compose import absolute, draft
from app.mail.models import NotificationSettings
from app.mail.outbox import queue
from app.mail.preferences import KIND_OF_NOTIFICATION, Choices, choices_of
from app.mail.unsubscribe import DIGEST
from app.notifications.service import unread_since
from app.people.models import User
from app.posts.models import Comment, Post
from app.protocols.queries import my_action_items
from app.showcase.service import newest_showcase
from app.spaces.access import readable_space_ids_of
from app.spaces.models import Space

# The local hour from which the morning's digest goes out.
DIGEST_HOUR = 7
PERIODS = {"daily": timedelta(days=1), "weekly": timedelta(days=7)}
PART_LIMIT = 5
EVENTS_AHEAD = timedelta(days=14)
ACTIONS_DUE_WITHIN = timedelta(days=7)


@dataclass
class Line:
    """One entry of a digest: what, where, and the link."""

    title: str
    url: str
    detail: str = ""
    count: int = 0


@dataclass
class Digest:
    for_you: list[Line] = field(default_factory=list)
    leaders: list[Line] = field(default_factory=list)
    active: list[Line] = field(default_factory=list)
    showcase: list[Line] = field(default_factory=list)
    events: list[Line] = field(default_factory=list)
    action_items: list[Line] = field(default_factory=list)

    def __bool__(self) -> bool:
        return any(
            (self.for_you, self.leaders, self.active, self.showcase, self.events, self.action_items)
        )


def _zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def is_due(choice: str, last: datetime | None, time_zone: str, now: datetime) -> bool:
    """Whether the person's digest goes out now: in their morning, once a day or week (weekly
    on Mondays; a week missed altogether goes out the next morning)."""
    period = PERIODS.get(choice)
    if period is None:
        return False
    zone = _zone(time_zone)
    local = now.astimezone(zone)
    if local.hour < DIGEST_HOUR:
        return False
    if choice == "daily":
        return last is None or last.astimezone(zone).date() < local.date()
    if last is not None and now - last > period + timedelta(days=1):
        return True
    return local.weekday() == 0 and (last is None or now - last > period - timedelta(days=1))


def _since(person: User, last: datetime | None, choice: str, now: datetime) -> datetime:
    start = last if last is not None else now - PERIODS.get(choice, PERIODS["weekly"])
    return max(start, person.created_at)


def _leaders_posts(session: Session, person: User, since: datetime, now: datetime) -> list[Line]:
    rows = session.exec(
        select(Post.id, Post.title, Space.name, User.display_name)
        .join(Space, col(Space.id) == Post.space_id)
        .outerjoin(User, col(User.id) == Post.author_id)
        .where(
            *readable_and_shown(person.id, now),
            col(Post.by_leader),
            col(Post.published_at) > since,
            or_(col(Post.author_id).is_(None), col(Post.author_id) != person.id),
        )
        .order_by(col(Post.published_at).desc())
        .limit(PART_LIMIT)
    ).all()
    return [
        Line(title=title, url=absolute(f"/posts/{post_id}"), detail=f"{author or ''} · {space}")
        for post_id, title, space, author in rows
    ]


def _active_discussions(
    session: Session, person: User, since: datetime, now: datetime
) -> list[Line]:
    """The posts with the most new comments by others since the last digest."""
    new_comments = func.count(col(Comment.id))
    return [
        Line(title=title, url=absolute(f"/posts/{post_id}"), detail=space, count=count)
        for post_id, title, space, count in session.exec(
            select(col(Post.id), col(Post.title), col(Space.name), new_comments)
            .join(Comment, col(Comment.post_id) == Post.id)
            .join(Space, col(Space.id) == Post.space_id)
            .where(
                *readable_and_shown(person.id, now),
                col(Comment.created_at) > since,
                *comment_shown(),
                or_(col(Comment.author_id).is_(None), col(Comment.author_id) != person.id),
            )
            .group_by(col(Post.id), col(Post.title), col(Space.name))
            .order_by(new_comments.desc(), col(Post.id).desc())
            .limit(PART_LIMIT)
        ).all()
    ]


def _upcoming_events(session: Session, person: User, now: datetime) -> list[Line]:
    answered = select(Rsvp.event_id).where(col(Rsvp.user_id) == person.id)
    rows = session.exec(
        select(col(Event.id), col(Event.title), col(Event.starts_at), col(Space.name))
        .join(Space, col(Space.id) == Event.space_id)
        .where(
            col(Event.space_id).in_(readable_space_ids_of(person.id)),
            col(Event.cancelled_at).is_(None),
            col(Event.starts_at) > now,
            col(Event.starts_at) <= now + EVENTS_AHEAD,
            col(Event.id).not_in(answered),  # they already said whether they come
        )
        .order_by(col(Event.starts_at))
        .limit(PART_LIMIT)
    ).all()
    zone = _zone(person.time_zone)
    return [
        Line(
            title=title,
            url=absolute(f"/events/{event_id}#rsvp"),
            detail=f"{starts_at.astimezone(zone):%Y-%m-%d %H:%M} · {space}",
        )
        for event_id, title, starts_at, space in rows
    ]


def _action_items(session: Session, person: User, today: date) -> list[Line]:
    soon = today + ACTIONS_DUE_WITHIN
    return [
        Line(
            title=item.text,
            url=absolute(f"/protocols/{protocol.id}"),
            detail=f"{format_moment(item.due, 'date', get_locale())} · {protocol.title}"
            if item.due
            else protocol.title,
        )
        for item, protocol, _space in my_action_items(session, user=person, limit=50)
        if item.due is not None and item.due <= soon
    ][:PART_LIMIT]


def build_digest(
    session: Session, *, person: User, choices: Choices, since: datetime, now: datetime
) -> Digest:
    """What the person missed since `since`, worded in the current language."""
    digest_kinds = {
        kind
        for kind, email_kind in KIND_OF_NOTIFICATION.items()
        if choices.mode(email_kind) == "digest"
    }
    digest = Digest()
    digest.for_you = [
        Line(title=text, url=absolute(n.url))
        for n, text in unread_since(session, user=person, since=since, kinds=digest_kinds)
    ]
    digest.leaders = _leaders_posts(session, person, since, now)
    digest.active = _active_discussions(session, person, since, now)
    digest.showcase = [
        Line(title=card.post.title, url=absolute(f"/posts/{card.post.id}"), detail=card.space.name)
        for card in newest_showcase(session, user=person, limit=PART_LIMIT)
        if card.entry.featured_at > since
    ]
    digest.events = _upcoming_events(session, person, now)
    digest.action_items = _action_items(
        session, person, now.astimezone(_zone(person.time_zone)).date()
    )
    return digest


def _claim_period(session: Session, user_id: int, last: datetime | None, now: datetime) -> bool:
    """Move the person's digest mark from `last` to `now`; False when another process did."""
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    session.execute(
        insert(NotificationSettings)
        .values(user_id=user_id, digest="weekly", email={})
        .on_conflict_do_nothing(index_elements=["user_id"])
    )
    mark = col(NotificationSettings.last_digest_at)
    result = session.execute(
        update(NotificationSettings)
        .where(
            col(NotificationSettings.user_id) == user_id,
            mark.is_(None) if last is None else mark == last,
        )
        .values(last_digest_at=now)
    )
    return result.rowcount == 1  # type: ignore[attr-defined]


def send_digest(
    session: Session,
    *,
    person: User,
    settings_row: NotificationSettings | None,
    now: datetime,
    force: bool = False,
) -> bool:
    """Queue the person's digest if there is something to tell; True when one was queued.
    The period is claimed either way: what was not worth a digest is not told later."""
    choices = choices_of(settings_row)
    last = settings_row.last_digest_at if settings_row is not None else None
    if not person.is_active or not person.email:
        return False
    if not force and not is_due(choices.digest, last, person.time_zone, now):
        return False
    if not _claim_period(session, person.id, last, now):  # type: ignore[arg-type]
        return False
    since = _since(person, last, choices.digest, now)
    with in_locale(person.locale):
        digest = build_digest(session, person=person, choices=choices, since=since, now=now)
    if not digest:
        return False
    message = draft(
        "digest",
        to_address=person.email,
        locale=person.locale,
        user_id=person.id,
        unsubscribe_kind=DIGEST,
        name=person.display_name,
        digest=digest,
    )
    queue(session, message, kind=DIGEST, user_id=person.id)
    return True


def send_due_digests(session: Session, *, now: datetime | None = None) -> int:
    """The job: each person whose morning it is gets their digest (each in its own commit)."""
    if not get_settings().mail_enabled:  # nothing would send them: periods stay unclaimed
        return 0
    now = now or utcnow()
    recent = now - timedelta(hours=20)
    candidates = session.exec(
        select(User, NotificationSettings)
        .outerjoin(NotificationSettings, col(NotificationSettings.user_id) == User.id)
        .where(
            col(User.is_active),
            or_(
                col(NotificationSettings.digest).is_(None),
                col(NotificationSettings.digest) != "off",
            ),
            or_(
                col(NotificationSettings.last_digest_at).is_(None),
                col(NotificationSettings.last_digest_at) < recent,
            ),
        )
        .order_by(col(User.id))
    ).all()
    queued = 0
    for person, settings_row in candidates:
        queued += send_digest(session, person=person, settings_row=settings_row, now=now)
        session.commit()
    return queued


def send_digest_now(session: Session, *, person: User, now: datetime | None = None) -> bool:
    """`agora digests send-now`: this person's digest, due or not."""
    settings_row = session.get(NotificationSettings, person.id)
    return send_digest(
        session, person=person, settings_row=settings_row, now=now or utcnow(), force=True
    )
