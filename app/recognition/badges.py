"""The built-in badges: data with the name of the rule that grants each one.

They are added to the database when first needed (insert-if-absent), not by a migration, so
the code and the data never drift apart, and a database emptied by tests fills itself again.
"""

from dataclasses import dataclass

from sqlmodel import Session, col, select

from app.core.db import utcnow
from app.core.i18n import N_
from app.recognition.models import Badge, BadgeLevel
from app.recognition.sql import insert_ignoring_duplicates


@dataclass(frozen=True)
class BadgeSpec:
    slug: str
    name: str
    description: str
    icon: str
    level: BadgeLevel
    rule: str
    threshold: int | None = None
    beside_name: bool = False


BUILTIN_BADGES: tuple[BadgeSpec, ...] = (
    BadgeSpec("leader", N_("Leader"),
              N_("Marked as a leader by an administrator."), "★",
              BadgeLevel.gold, "leader"),
    BadgeSpec("early-adopter", N_("Early adopter"),
              N_("One of the first active contributors of a space or of the whole site."), "🌱",
              BadgeLevel.gold, "early_adopter", beside_name=True),
    BadgeSpec("first-post", N_("First post"),
              N_("Wrote a first post."), "📝", BadgeLevel.bronze,
              "first_post"),
    BadgeSpec("first-comment", N_("First comment"),
              N_("Joined a conversation with a first comment."),
              "💬", BadgeLevel.bronze, "first_comment"),
    BadgeSpec("helpful", N_("Helpful"),
              N_("Received 10 reactions from colleagues."), "🙌",
              BadgeLevel.silver, "helpful", 10),
    BadgeSpec("welcomer", N_("Welcomer"),
              N_("Welcomed 5 newcomers by commenting on their first post."),
              "👋", BadgeLevel.silver, "welcomer", 5),
    BadgeSpec("conversation-starter", N_("Conversation starter"),
              N_("Wrote a post that 5 colleagues commented on."), "🔥", BadgeLevel.silver,
              "conversation_starter", 5),
    BadgeSpec("curious-mind", N_("Curious mind"),
              N_("Asked 3 questions."), "❓", BadgeLevel.bronze,
              "curious", 3),
    BadgeSpec("bridge-builder", N_("Bridge builder"),
              N_("Took part in 3 different spaces."), "🌉",
              BadgeLevel.silver, "bridge_builder", 3),
    BadgeSpec("generous", N_("Generous"),
              N_("Gave kudos to 5 different colleagues."), "🎁",
              BadgeLevel.bronze, "generous", 5),
    BadgeSpec("first-protocol-edit", N_("Minute taker"),
              N_("Helped write a protocol for the first time."), "🗒️",
              BadgeLevel.bronze, "first_protocol_edit"),
    BadgeSpec("first-meetup", N_("First meetup"),
              N_("Took part in a first event or meetup."), "🤝",
              BadgeLevel.bronze, "first_meetup"),
)  # fmt: skip
BUILTIN_SLUGS = tuple(spec.slug for spec in BUILTIN_BADGES)


def ensure_builtin_badges(session: Session) -> dict[str, Badge]:
    """The built-in badges by slug; any that are missing are added (safe to race)."""
    query = select(Badge).where(col(Badge.slug).in_(BUILTIN_SLUGS))
    found = {b.slug: b for b in session.exec(query)}
    missing = [spec for spec in BUILTIN_BADGES if spec.slug not in found]
    if missing:
        now = utcnow()
        rows = [
            {"slug": s.slug, "name": s.name, "description": s.description, "icon": s.icon,
             "level": str(s.level), "rule": s.rule, "threshold": s.threshold,
             "beside_name": s.beside_name, "is_builtin": True, "created_at": now}
            for s in missing
        ]  # fmt: skip
        session.execute(insert_ignoring_duplicates(session, Badge, rows))
        found = {b.slug: b for b in session.exec(query)}
    return found
