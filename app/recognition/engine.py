"""Granting: evaluate rules and insert the awards that are due, safely from any process.

Each award is inserted with ON CONFLICT DO NOTHING against the unique keys (user, badge, space)
and (user, badge) for site awards, so two processes granting the same badge at the same moment
end with one row and no error. Awards are never taken back by a rule (except ``leader``, which
mirrors the admin's choice): recognition that silently disappears would feel unfair.
"""

from collections.abc import Collection, Mapping

from sqlmodel import Session, col, select

from app.core.db import utcnow
from app.people.models import User
from app.recognition.badges import BUILTIN_BADGES, ensure_builtin_badges
from app.recognition.models import Award, Badge, SiteRecognition
from app.recognition.rule_base import RuleBadge
from app.recognition.rules import RULES, Grant, RuleContext
from app.recognition.sql import insert_ignoring_duplicates


def award(session: Session, *, badge: Badge | RuleBadge, grants: list[Grant]) -> list[Grant]:
    """Insert the awards that do not exist yet; returns those this call added.

    No notification: a first post can earn three badges at once, and a stream of automatic
    "you earned" messages would be noise. The profile shows them with reason and date.
    """
    if not grants:
        return []
    session.flush()
    # A fixed order: concurrent granters then take row locks in the same order (no deadlock).
    ordered = sorted(grants, key=lambda g: (g.user_id, g.space_id or 0))
    now, added = utcnow(), []
    by_key = {(g.user_id, g.space_id): g for g in ordered}
    for start in range(0, len(ordered), 500):
        rows = [
            {"user_id": g.user_id, "badge_id": badge.id, "space_id": g.space_id,
             "reason": g.reason[:300], "granted_by_id": None, "granted_at": now}
            for g in ordered[start : start + 500]
        ]  # fmt: skip
        statement = insert_ignoring_duplicates(session, Award, rows)
        result = session.execute(statement.returning(Award.user_id, Award.space_id))
        added += [by_key[(uid, sid)] for uid, sid in result]
    return added


def run_rules(
    session: Session,
    *,
    settings: SiteRecognition,
    rules: Collection[str] | None = None,
    user_ids: Collection[int] | None = None,
    space_id: int | None = None,
    badges: Mapping[str, Badge | RuleBadge] | None = None,
    user_ids_by_rule: Mapping[str, Collection[int]] | None = None,
) -> int:
    """Evaluate rules (all, or the named ones) and grant what is due; returns awards added.

    Every rule is evaluated before the first award is written: on SQLite the first write takes
    the database's one write lock until commit, and evaluating everything over a large site
    takes seconds (20 s at 100,000 posts and 1,000,000 comments), which made sign-ins wait
    and fail behind the job. Each rule concerns its own badge, so the order changes nothing.

    `user_ids_by_rule` narrows `user_ids` per rule (to those who lack its badge, say): a rule
    that counts a popular author's comments is far cheaper when that author is not asked about.
    """
    badges = badges or ensure_builtin_badges(session)
    now = utcnow()
    due: list[tuple[Badge | RuleBadge, list[Grant]]] = []
    for spec in BUILTIN_BADGES:
        if rules is not None and spec.rule not in rules:
            continue
        badge = badges[spec.slug]
        subjects = user_ids
        if user_ids_by_rule is not None and spec.rule in user_ids_by_rule:
            subjects = user_ids_by_rule[spec.rule]
        ctx = RuleContext(
            badge=badge, settings=settings, now=now, user_ids=subjects, space_id=space_id
        )
        due.append((badge, RULES[spec.rule](session, ctx)))
    return sum(len(award(session, badge=badge, grants=grants)) for badge, grants in due)


def revoke_stale_leaders(session: Session, *, leader_badge: Badge) -> int:
    """The leader badge mirrors User.is_leader; drop awards of people no longer marked."""
    stale = list(
        session.exec(
            select(Award)
            .join(User, col(User.id) == Award.user_id)
            .where(col(Award.badge_id) == leader_badge.id, col(User.is_leader).is_(False))
        )
    )
    for row in stale:
        session.delete(row)
    session.flush()
    return len(stale)
