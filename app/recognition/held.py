"""The first query of every write that may earn a badge: the rules' badges and who holds them.

Right after a comment, a reaction or an RSVP, recognition.after_action needs the built-in badges
of the action's rules (id, threshold, description) and, for the people concerned, which of them
they already hold. One statement, built once per process (see app.core.prepared), answers both with
plain rows: loading the twelve built-in badges as entities and then asking for their awards
cost two queries and more Python than the rest of the check.
"""

from collections.abc import Collection
from functools import cache
from typing import Any

from sqlalchemy import Integer, and_, bindparam, func, or_
from sqlmodel import Session, col, select

from app.core.rows import read
from app.recognition.badges import BUILTIN_BADGES, BUILTIN_SLUGS, ensure_builtin_badges
from app.recognition.models import Award, Badge
from app.recognition.rule_base import RuleBadge

# Early adopter has a site award and a space award; the others one site award.
_AWARDS_HELD = {"early_adopter": 2}


@cache
def _statement() -> Any:
    held = and_(
        col(Award.badge_id) == Badge.id,
        col(Award.user_id).in_(bindparam("subjects", type_=Integer, expanding=True)),
        # With no space, "= NULL" holds for no row: site awards only.
        or_(
            col(Award.space_id).is_(None),
            col(Award.space_id) == bindparam("space_id", type_=Integer),
        ),
    )
    badge: tuple[Any, ...] = (
        col(Badge.id),
        col(Badge.slug),
        col(Badge.rule),
        col(Badge.threshold),
        col(Badge.description),
    )
    shown: list[Any] = [*badge, col(Award.user_id), func.count(col(Award.id))]
    return (
        select(*shown)
        .outerjoin(Award, held)
        .where(
            col(Badge.slug).in_(bindparam("builtin", expanding=True)),
            col(Badge.rule).in_(bindparam("rules", expanding=True)),
        )
        .group_by(*badge, col(Award.user_id))
    )


def badges_and_holders(
    session: Session, *, rules: Collection[str], subjects: Collection[int], space_id: int | None
) -> tuple[dict[str, RuleBadge], dict[str, set[int]]]:
    """The built-in badges of `rules` by slug (added first if missing), and per rule the
    subjects who hold its badge (for the site, or this space)."""
    params = {
        "subjects": sorted(subjects),
        "space_id": space_id,
        "builtin": list(BUILTIN_SLUGS),
        "rules": sorted(rules),
    }
    rows = read(session, _statement(), params)
    wanted = {spec.slug for spec in BUILTIN_BADGES if spec.rule in rules}
    if not wanted <= {row[1] for row in rows}:
        ensure_builtin_badges(session)  # a new database: the badges are added when first needed
        rows = read(session, _statement(), params)
    badges: dict[str, RuleBadge] = {}
    holders: dict[str, set[int]] = {}
    for badge_id, slug, rule, threshold, description, user_id, n in rows:
        badges[slug] = RuleBadge(
            id=badge_id, slug=slug, rule=rule, threshold=threshold, description=description
        )
        if user_id is not None and n >= _AWARDS_HELD.get(rule, 1):
            holders.setdefault(rule, set()).add(user_id)
    return badges, holders
