"""Badges that admins create and give by hand, with a reason; every step is audited."""

from sqlmodel import Session, col, select

from app.core.domain_events import BadgeAwarded, publish
from app.core.errors import Conflict, Invalid, NotFound
from app.people.models import User
from app.people.service import record_audit
from app.recognition.badges import ensure_builtin_badges
from app.recognition.models import Award, Badge, BadgeLevel
from app.recognition.service import clean_text, require_admin
from app.spaces.models import Space
from app.spaces.service import slugify


def all_badges(session: Session) -> list[Badge]:
    ensure_builtin_badges(session)
    return list(session.exec(select(Badge).order_by(col(Badge.is_builtin).desc(), col(Badge.name))))


def create_badge(
    session: Session,
    *,
    actor: User,
    name: str,
    description: str = "",
    icon: str = "🏅",
    level: str = "bronze",
) -> Badge:
    """An admin defines a badge that is only ever given by hand, with a reason."""
    require_admin(actor)
    name = clean_text(name, field="name", max_length=80, required=True)
    description = clean_text(description, field="description", max_length=300)
    icon = clean_text(icon, field="icon", max_length=16) or "🏅"
    if level not in BadgeLevel.__members__:
        raise Invalid("Choose bronze, silver or gold", field="level")
    slug = slugify(name)[:60] or "badge"
    if session.exec(select(Badge.id).where(Badge.slug == slug)).first() is not None:
        raise Invalid("A badge with this name exists already", field="name")
    badge = Badge(
        slug=slug,
        name=name,
        description=description,
        icon=icon,
        level=BadgeLevel(level),
        created_by_id=actor.id,
    )
    session.add(badge)
    session.flush()
    record_audit(
        session, actor=actor, action="badge.create", target_type="badge", target_id=badge.id
    )
    return badge


def award_badge(
    session: Session,
    *,
    actor: User,
    badge_id: int,
    person: User,
    reason: str,
    space_id: int | None = None,
) -> Award:
    """An admin gives a custom badge to a person with a reason; audited, the person is told."""
    require_admin(actor)
    badge = session.get(Badge, badge_id)
    if badge is None:
        raise NotFound("Badge not found")
    if badge.rule is not None:
        raise Invalid("This badge is granted automatically", field="badge_id")
    reason = clean_text(reason, field="reason", max_length=300, required=True)
    if space_id is not None and session.get(Space, space_id) is None:
        raise Invalid("Space not found", field="space")
    same_scope = col(Award.space_id).is_(None) if space_id is None else Award.space_id == space_id
    exists = session.exec(
        select(Award.id).where(Award.user_id == person.id, Award.badge_id == badge.id, same_scope)
    ).first()
    if exists is not None:
        raise Conflict("This person has this badge already")
    row = Award(
        user_id=person.id,  # type: ignore[arg-type]
        badge_id=badge.id,  # type: ignore[arg-type]
        space_id=space_id,
        granted_by_id=actor.id,
        reason=reason,
    )
    session.add(row)
    session.flush()
    record_audit(
        session,
        actor=actor,
        action="badge.award",
        target_type="user",
        target_id=person.id,
        space_id=space_id,
        detail=f"badge={badge.slug} reason={reason}",
    )
    publish(session, BadgeAwarded(award=row, badge=badge, by=actor))
    return row


def revoke_award(session: Session, *, actor: User, award_id: int) -> None:
    """Take back a badge given by hand (rules would grant their own badges again)."""
    require_admin(actor)
    row = session.exec(
        select(Award, Badge)
        .join(Badge, col(Badge.id) == Award.badge_id)
        .where(Award.id == award_id)
    ).first()
    if row is None:
        raise NotFound("Award not found")
    award, badge = row
    if badge.rule is not None:
        raise Invalid("Badges granted by a rule cannot be taken back by hand")
    session.delete(award)
    record_audit(
        session,
        actor=actor,
        action="badge.revoke",
        target_type="user",
        target_id=award.user_id,
        space_id=award.space_id,
        detail=f"badge={badge.slug}",
    )
    session.flush()


def manual_awards(session: Session, *, limit: int = 50) -> list[tuple[Award, Badge, User]]:
    rows = session.exec(
        select(Award, Badge, User)
        .join(Badge, col(Badge.id) == Award.badge_id)
        .join(User, col(User.id) == Award.user_id)
        .where(col(Badge.rule).is_(None))
        .order_by(col(Award.granted_at).desc(), col(Award.id).desc())
        .limit(limit)
    )
    return [(a, b, u) for a, b, u in rows]


def award_space_id(session: Session, slug: str) -> int | None:
    """The space a badge is given for, named by its address in the form; None for the site."""
    if not slug.strip():
        return None
    space_id = session.exec(select(Space.id).where(Space.slug == slug.strip())).first()
    if space_id is None:
        raise Invalid("Space not found", field="space")
    return space_id
