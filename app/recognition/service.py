"""Recognition: site settings, personal choices, leaders, custom badges, and the grant hook."""

from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import timedelta
from functools import cache
from typing import Any, cast

from sqlalchemy import ColumnElement, Integer, bindparam, exists, func, update
from sqlmodel import Session, col, select

from app.access.kudos import awards_shown_to
from app.core import prepared
from app.core.db import utcnow
from app.core.errors import Forbidden, Invalid
from app.core.rows import fetch, read
from app.core.text import clean_text
from app.core.turns import Turn, take_turn
from app.people.models import User
from app.people.service import record_audit
from app.posts.models import Post
from app.recognition.badges import ensure_builtin_badges
from app.recognition.engine import run_rules
from app.recognition.firsts import firsts
from app.recognition.held import badges_and_holders
from app.recognition.models import (
    Award,
    Badge,
    BadgeRow,
    RecognitionPreference,
    RecognitionSettings,
    SiteRecognition,
)
from app.recognition.rules import RULES_AFTER, RULES_FOR_RECEIVER, site_started_at
from app.spaces.models import Space

LEADER = "leader"
EARLY_ADOPTER = "early-adopter"


def require_admin(actor: User) -> None:
    if not actor.is_admin:
        raise Forbidden("Only administrators may do that")


# --- site settings and personal choices --------------------------------------------------------


@cache
def _settings_statement() -> Any:
    """Built once per process (see app.core.prepared)."""
    return select(
        RecognitionSettings.early_adopter_count,
        RecognitionSettings.early_adopter_days,
        RecognitionSettings.kudos_monthly_budget,
        RecognitionSettings.thank_you_wall,
    ).where(RecognitionSettings.id == 1)


_SETTINGS_READ = "agora_site_recognition"


def site_settings(session: Session) -> SiteRecognition:
    """The site's settings; the defaults until an admin saves them.

    Read once per transaction: a comment asks before it is written (early-adopter turns) and
    again when its badges are weighed, and on PostgreSQL each read is a round trip."""
    transaction = session.get_transaction()
    kept = session.info.get(_SETTINGS_READ)
    if kept is not None and transaction is not None and kept[0] is transaction:
        return cast(SiteRecognition, kept[1])
    rows = read(session, _settings_statement(), {})
    return _remember(session, SiteRecognition(*rows[0]) if rows else _defaults())


def _remember(session: Session, settings: SiteRecognition) -> SiteRecognition:
    session.info[_SETTINGS_READ] = (session.get_transaction(), settings)
    return settings


@cache
def _defaults() -> SiteRecognition:
    unsaved = RecognitionSettings()
    return SiteRecognition(
        early_adopter_count=unsaved.early_adopter_count,
        early_adopter_days=unsaved.early_adopter_days,
        kudos_monthly_budget=unsaved.kudos_monthly_budget,
        thank_you_wall=unsaved.thank_you_wall,
    )


def update_site_settings(
    session: Session,
    *,
    actor: User,
    early_adopter_count: int,
    kudos_monthly_budget: int,
    thank_you_wall: bool,
) -> RecognitionSettings:
    require_admin(actor)
    if not 1 <= early_adopter_count <= 1000:
        raise Invalid("Choose a number from 1 to 1000", field="early_adopter_count")
    if not 1 <= kudos_monthly_budget <= 1000:
        raise Invalid("Choose a number from 1 to 1000", field="kudos_monthly_budget")
    session.info.pop(_SETTINGS_READ, None)
    row = session.get(RecognitionSettings, 1) or RecognitionSettings(id=1)
    row.early_adopter_count = early_adopter_count
    row.kudos_monthly_budget = kudos_monthly_budget
    row.thank_you_wall = thank_you_wall
    row.updated_by_id, row.updated_at = actor.id, utcnow()
    session.add(row)
    record_audit(
        session,
        actor=actor,
        action="recognition.settings",
        target_type="site",
        target_id=None,
        detail=f"early_adopters={early_adopter_count} budget={kudos_monthly_budget} "
        f"thank_you_wall={thank_you_wall}",
    )
    session.flush()
    return row


def preferences(session: Session, *, user_id: int) -> RecognitionPreference:
    return session.get(RecognitionPreference, user_id) or RecognitionPreference(user_id=user_id)


def update_preferences(
    session: Session, *, user: User, hide_badges: bool, kudos_in_space: bool
) -> RecognitionPreference:
    """A person's choices: hide their badges; let kudos they receive show in the space."""
    row = session.get(RecognitionPreference, user.id) or RecognitionPreference(user_id=user.id)  # type: ignore[arg-type]
    row.hide_badges, row.kudos_in_space, row.updated_at = hide_badges, kudos_in_space, utcnow()
    session.add(row)
    session.flush()
    return row


def shows_badges(user_col: Any) -> ColumnElement[bool]:
    """A WHERE clause: the person has not chosen to hide their badges."""
    return ~exists().where(
        col(RecognitionPreference.user_id) == user_col,
        col(RecognitionPreference.hide_badges).is_(True),
    )


# --- leaders ---------------------------------------------------------------------------------


def set_leader(
    session: Session, *, actor: User, person: User, is_leader: bool, title: str = ""
) -> User:
    """An admin marks (or unmarks) a leader, with an optional title; audited."""
    require_admin(actor)
    title = clean_text(title, field="title", max_length=120) if is_leader else ""
    person.is_leader, person.leader_title = is_leader, title
    session.add(person)
    # Leaders' voices find leaders' posts by this mark (index ix_posts_leader_published).
    session.execute(
        update(Post).where(col(Post.author_id) == person.id).values(by_leader=is_leader)
    )
    badge = ensure_builtin_badges(session)[LEADER]
    current = session.exec(
        select(Award).where(
            Award.user_id == person.id, Award.badge_id == badge.id, col(Award.space_id).is_(None)
        )
    ).first()
    if is_leader and current is None:
        session.add(
            Award(
                user_id=person.id,  # type: ignore[arg-type]
                badge_id=badge.id,  # type: ignore[arg-type]
                granted_by_id=actor.id,
                reason=title or "Leader",
            )
        )
    elif is_leader and current is not None:
        current.reason = title or "Leader"
        session.add(current)
    elif current is not None:
        session.delete(current)
    record_audit(
        session,
        actor=actor,
        action="user.leader" if is_leader else "user.unleader",
        target_type="user",
        target_id=person.id,
        detail=f"title={title}" if title else "",
    )
    session.flush()
    return person


def leaders(session: Session) -> list[User]:
    return list(
        session.exec(
            select(User).where(col(User.is_leader).is_(True)).order_by(col(User.display_name))
        )
    )


# --- what others see -------------------------------------------------------------------------


@dataclass
class ShownAward:
    award: Award
    badge: Badge
    space: Space | None


def badges_for(session: Session, *, viewer: User, person: User) -> list[ShownAward]:
    """A person's badges as the viewer may see them: space awards only for readable spaces;
    if the person hides their badges, others see only the leader badge (an admin's designation).
    """
    query = (
        select(Award, Badge, Space)
        .join(Badge, col(Badge.id) == Award.badge_id)
        .outerjoin(Space, col(Space.id) == Award.space_id)
        .where(
            Award.user_id == person.id,
            awards_shown_to(viewer.id),
        )
        .order_by(col(Award.granted_at).desc(), col(Award.id).desc())
    )
    if viewer.id != person.id:
        query = query.where((col(Badge.slug) == LEADER) | shows_badges(Award.user_id))
    return [ShownAward(award=a, badge=b, space=s) for a, b, s in session.exec(query)]


@cache
def _name_marks_statement() -> Any:
    """Built once per process (see app.core.prepared): a post page asks for it on every view."""
    shown = [*BadgeRow.columns(), col(Award.user_id), col(Award.space_id)]
    return (
        select(*shown)
        .join(Badge, col(Badge.id) == Award.badge_id)
        .where(
            col(Badge.beside_name).is_(True),
            col(Award.user_id).in_(prepared.ids("user_ids")),
            col(Award.space_id).in_(prepared.ids("space_ids")),
            shows_badges(Award.user_id),
        )
        .order_by(col(Badge.name))
    )


def name_marks(
    session: Session, pairs: Iterable[tuple[int | None, int | None]]
) -> dict[tuple[int | None, int | None], list[BadgeRow]]:
    """Badges shown beside names, for many (person, space) pairs in one query."""
    wanted = {(u, s) for u, s in pairs if u is not None and s is not None}
    if not wanted:
        return {}
    params = {
        "user_ids": sorted({u for u, _s in wanted}),
        "space_ids": sorted({s for _u, s in wanted}),
    }
    marks: dict[tuple[int | None, int | None], list[BadgeRow]] = {}
    for badge, user_id, space_id in fetch(session, _name_marks_statement(), params, (BadgeRow,)):
        if (user_id, space_id) in wanted:
            marks.setdefault((user_id, space_id), []).append(badge)
    return marks


def attach_marks(
    session: Session,
    cards: Iterable[Any],
    *,
    more_people: Iterable[int | None] = (),
    space_id: int | None = None,
) -> dict[int | None, list[BadgeRow]]:
    """Put the badges shown beside names on post cards, and return those of more people in one
    space (a post's commenters): all in one query, however many names the page shows."""
    cards, more_people = list(cards), list(more_people)
    pairs = [(card.post.author_id, card.space.id) for card in cards]
    found = name_marks(session, pairs + [(u, space_id) for u in more_people])
    for card in cards:
        card.author_marks = found.get((card.post.author_id, card.space.id), [])
    return {user_id: found.get((user_id, space_id), []) for user_id in more_people}


# --- right after an action --------------------------------------------------------------------


def after_contribution(
    session: Session, *, user: User, space_id: int, comment_on: Post | None = None
) -> int:
    """Grant what a new post (or, with comment_on, a comment) may have earned; kept cheap.

    Only the actor is evaluated (and the post's author after a comment, for "conversation
    starter", see RULES_FOR_RECEIVER); rules they already hold are skipped. The job catches
    everything else.
    """
    assert user.id is not None
    new = firsts(
        session,
        actor_id=user.id,
        space_id=space_id,
        post_id=comment_on.id if comment_on is not None else None,
    )
    settled = set() if new.first_in_space else {"bridge_builder", "early_adopter"}
    if comment_on is None:
        return after_action(
            session, action="post", user_ids=[user.id], space_id=space_id, settled=settled
        )
    if not new.welcomes_newcomer:
        settled.add("welcomer")
    return after_action(
        session,
        action="comment",
        user_ids=[user.id],
        space_id=space_id,
        receiver_id=comment_on.author_id,
        settled=settled,
    )


def after_action(
    session: Session,
    *,
    action: str,
    user_ids: Collection[int],
    space_id: int | None = None,
    receiver_id: int | None = None,
    settled: Collection[str] = (),
) -> int:
    """Grant what an action (a key of RULES_AFTER) may have earned the given people (and the
    author of what it was on, `receiver_id`, for the rules of RULES_FOR_RECEIVER). Rules in
    `settled` are known not to have changed for the actors (recognition.firsts).

    The one hook every domain calls right after a qualifying action: one query finds the
    rules their people already hold (skipped, so the usual case costs that query alone); the
    others run for the people who lack the badge only. The job catches anything missed.
    """
    actors = {u for u in user_ids if u is not None}
    receivers = {receiver_id} if receiver_id is not None else set()
    people = {rule: set(actors) for rule in RULES_AFTER[action] if rule not in settled}
    for rule in RULES_FOR_RECEIVER.get(action, ()):
        people.setdefault(rule, set()).update(receivers)
    people = {rule: who for rule, who in people.items() if who}
    subjects = actors | receivers
    if not people:
        return 0
    rules = set(people)
    badges, holders = badges_and_holders(session, rules=rules, subjects=subjects, space_id=space_id)
    lacking = {rule: who - holders.get(rule, set()) for rule, who in people.items()}
    rules = {rule for rule in rules if lacking[rule]}
    settings = site_settings(session)
    if "early_adopter" in rules and (
        space_id is None or not _early_window_open(session, settings=settings, space_id=space_id)
    ):
        rules.discard("early_adopter")
    if not rules:
        return 0
    # Each rule asks only about its people who lack its badge: lacks() would drop the others
    # anyway, but only after counting their contributions (a hot post's author has thousands).
    return run_rules(
        session,
        settings=settings,
        rules=rules,
        user_ids=subjects,
        space_id=space_id,
        badges=badges,
        user_ids_by_rule=lacking,
    )


def take_contribution_turn(session: Session, *, space_id: int) -> None:
    """Before a post or comment is written. While early-adopter places of its space (or of the
    site) are open, contributions take turns (PostgreSQL; SQLite writers always do), so the
    places go by the order in which contributions were made and never to more than N people."""
    if session.get_bind().dialect.name != "postgresql":
        return
    space_open, site_open = _early_windows(session, settings=None, space_id=space_id)
    if site_open:  # the site's turn first, always: two turns in one order cannot deadlock
        take_turn(session, Turn.early_adopters, 0)
    if space_open:
        take_turn(session, Turn.early_adopters, space_id)


def _early_window_open(session: Session, *, settings: SiteRecognition, space_id: int) -> bool:
    """Could a contribution now still make someone an early adopter (of the space or site)?"""
    return any(_early_windows(session, settings=settings, space_id=space_id))


@cache
def _early_windows_statement() -> Any:
    """Built once per process (see app.core.prepared): every post and comment asks while the
    subjects lack an early-adopter badge. The badge by its slug: loading the built-in badges
    as entities before every contribution cost more than this whole statement (no badge yet,
    on a new database: no places taken)."""
    space_id = bindparam("space_id", type_=Integer)
    badge_id = select(Badge.id).where(Badge.slug == "early-adopter").scalar_subquery()
    count = (
        select(func.count()).select_from(Award).where(Award.badge_id == badge_id).correlate(None)
    )
    stored = _settings_statement()
    return select(
        site_started_at(),
        select(Space.created_at).where(Space.id == space_id).scalar_subquery(),
        count.where(Award.space_id == space_id).scalar_subquery(),
        count.where(col(Award.space_id).is_(None)).scalar_subquery(),
        # The site's settings too (NULL until an admin saves them): a contribution on
        # PostgreSQL asks this first, and would otherwise read them in a round trip of their own.
        *(stored.with_only_columns(column).scalar_subquery() for column in stored.selected_columns),
    )


def _early_windows(
    session: Session, *, settings: SiteRecognition | None, space_id: int
) -> tuple[bool, bool]:
    """Whether places are still open: (in the space, on the site). Without `settings`, the
    site's settings come with the answer and are kept for the rest of the transaction."""
    params = {"space_id": space_id}
    row = read(session, _early_windows_statement(), params)[0]
    site_start, space_start, space_count, site_count = row[:4]
    if settings is None:
        stored = row[4:]
        settings = _remember(
            session, SiteRecognition(*stored) if stored[0] is not None else _defaults()
        )
    now, window = utcnow(), timedelta(days=settings.early_adopter_days)
    n = settings.early_adopter_count
    space_open = space_start is not None and now < space_start + window and space_count < n
    site_open = site_start is not None and now < site_start + window and site_count < n
    return bool(space_open), bool(site_open)
