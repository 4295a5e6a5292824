"""Kudos: a thank-you with a message, optionally tied to content, within a monthly budget.

Who sees a kudos: if it is tied to content, only people who can read that content's space (the
message may talk about it); if not, every signed-in colleague. Nothing else decides this.
"""

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import ColumnElement, exists, func, tuple_
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, select

from app.access.kudos import kudos_shown_to
from app.core.db import utcnow
from app.core.domain_events import KudosGiven, publish
from app.core.errors import Invalid, TooManyRequests
from app.core.i18n import N_
from app.core.pagination import Cursor, Page
from app.core.text import clean_text
from app.core.turns import Turn, take_turn
from app.people.models import User
from app.recognition.engine import run_rules
from app.recognition.kudos_targets import TARGETS, TargetInfo, load_target
from app.recognition.models import Kudos, RecognitionPreference
from app.recognition.service import site_settings
from app.spaces.access import SpaceAccess, access_for, require_read
from app.spaces.models import Space

NO_MESSAGE = N_("Write a short message")

MAX_MESSAGE = 500


def month_start(user: User, now: datetime | None = None) -> datetime:
    """The start of the giver's current calendar month, in their own time zone."""
    try:
        zone = ZoneInfo(user.time_zone)
    except (ZoneInfoNotFoundError, ValueError):
        zone = ZoneInfo("UTC")
    local = (now or utcnow()).astimezone(zone)
    return local.replace(day=1, hour=0, minute=0, second=0, microsecond=0).astimezone(UTC)


def budget_used(session: Session, *, giver: User) -> int:
    """Kudos given this month: thanking three co-authors at once uses three."""
    return session.exec(
        select(func.count()).where(
            Kudos.giver_id == giver.id, Kudos.created_at >= month_start(giver)
        )
    ).one()


def budget_left(session: Session, *, giver: User) -> int:
    return max(0, site_settings(session).kudos_monthly_budget - budget_used(session, giver=giver))


def people(session: Session, ids: list[int]) -> list[User]:
    """Active people by id, in the order given."""
    found = {
        u.id: u
        for u in session.exec(select(User).where(col(User.id).in_(ids), col(User.is_active)))
    }
    return [found[i] for i in dict.fromkeys(ids) if i in found]


def authors_to_thank(session: Session, *, giver: User, target: TargetInfo) -> list[User]:
    """The target's authors but the giver, passing over those who left or can no longer read
    it: thanking the co-authors of a protocol must not fail because one of them moved on."""
    authors = people(session, [a for a in target.author_ids if a != giver.id])
    return [a for a in authors if access_for(session, a, target.space).can_read]


def _receivers(
    session: Session, *, giver: User, chosen: list[int] | None, target: TargetInfo | None
) -> list[User]:
    """Whom to thank: the people named (existing, active, able to read the target), or else
    the target's authors but the giver."""
    if not chosen:
        if target is None:
            raise Invalid("Choose whom to thank", field="to_user_id")
        receivers = authors_to_thank(session, giver=giver, target=target)
        if not receivers:
            raise Invalid("Nobody else is credited here yet", field="to_user_id")
        return receivers
    if giver.id in chosen:
        raise Invalid("You cannot give kudos to yourself", field="to_user_id")
    receivers = people(session, chosen)
    if len(receivers) != len(set(chosen)):
        raise Invalid("No such person", field="to_user_id")
    for receiver in receivers:
        if target is not None and not access_for(session, receiver, target.space).can_read:
            raise Invalid(
                "%(name)s cannot see this, so the kudos cannot be tied to it",
                field="to_user_id",
                name=receiver.display_name,
            )
    return receivers


def give_kudos(
    session: Session,
    *,
    giver: User,
    message: str,
    receiver_ids: list[int] | None = None,
    target_type: str | None = None,
    target_id: int | None = None,
) -> list[Kudos]:
    """Thank one or more colleagues, one kudos each; without receivers, the target's authors
    (all co-authors of a protocol) are thanked. The budget must cover all, or nothing is kept."""
    message = clean_text(
        message, field="message", max_length=MAX_MESSAGE, required=True, empty=NO_MESSAGE
    )
    target: TargetInfo | None = None
    if target_type is not None or target_id is not None:
        if target_type not in TARGETS or target_id is None:
            raise Invalid("Kudos can be tied to a post, a comment or a protocol", field="target")
        target = load_target(session, giver, target_type, target_id)
    receivers = _receivers(session, giver=giver, chosen=receiver_ids, target=target)
    take_turn(session, Turn.kudos_budget, giver.id)  # type: ignore[arg-type]
    budget = site_settings(session).kudos_monthly_budget
    left = max(0, budget - budget_used(session, giver=giver))
    if left == 0:
        raise TooManyRequests(
            "You have given all %(budget)s kudos for this month. Thank you for being generous!",
            budget=budget,
        )
    if len(receivers) > left:
        raise TooManyRequests(
            "Thanking all %(count)s people takes %(count)s kudos, and you have %(left)s left "
            "this month.",
            count=len(receivers),
            left=left,
        )
    batch, now = uuid.uuid4().hex, utcnow()
    rows = [
        Kudos(
            giver_id=giver.id,  # type: ignore[arg-type]
            receiver_id=receiver.id,  # type: ignore[arg-type]
            message=message,
            target_type=target_type if target else None,
            target_id=target_id if target else None,
            space_id=target.space.id if target else None,
            batch=batch,
            created_at=now,
        )
        for receiver in receivers
    ]
    session.add_all(rows)
    session.flush()
    publish(session, KudosGiven(giver=giver, kudos=tuple(rows)))
    run_rules(session, settings=site_settings(session), rules={"generous"}, user_ids=[giver.id])  # type: ignore[list-item]
    return rows


# --- listing ---------------------------------------------------------------------------------


@dataclass
class KudosView:
    kudos: Kudos
    giver: User
    receiver: User
    space: Space | None
    target_title: str | None = None
    target_url: str | None = None

    @property
    def target_gone(self) -> bool:
        return self.kudos.target_type is not None and self.target_title is None


def visible_to(viewer: User) -> ColumnElement[bool]:
    """Kudos the viewer may see: untied ones, and those tied to content in spaces they can read."""
    return kudos_shown_to(viewer.id)


def _with_people(*where: ColumnElement[bool]) -> Any:
    """Kudos with giver, receiver and space, newest first."""
    giver, receiver = aliased(User), aliased(User)
    return (
        select(Kudos, giver, receiver, Space)
        .where(*where)
        .join(giver, col(giver.id) == Kudos.giver_id)
        .join(receiver, col(receiver.id) == Kudos.receiver_id)
        .outerjoin(Space, col(Space.id) == Kudos.space_id)
        .order_by(col(Kudos.created_at).desc(), col(Kudos.id).desc())
    )


def _page(
    session: Session, where: list[ColumnElement[bool]], cursor: str | None, limit: int
) -> Page[KudosView]:
    """Newest first with a keyset cursor; target titles in one query per kind of target."""
    query = _with_people(*where).limit(limit + 1)
    after = Cursor.decode(cursor)
    if after is not None:
        query = query.where(tuple_(Kudos.created_at, Kudos.id) < tuple_(after.at, after.id))
    rows = list(session.exec(query).all())
    next_cursor = None
    if len(rows) > limit:
        rows = rows[:limit]
        last = rows[-1][0]
        next_cursor = Cursor(last.created_at, last.id).encode()
    views = [KudosView(kudos=k, giver=g, receiver=r, space=s) for k, g, r, s in rows]
    wanted: dict[str, list[int]] = {}
    for view in views:
        if view.kudos.target_type in TARGETS and view.kudos.target_id is not None:
            wanted.setdefault(view.kudos.target_type, []).append(view.kudos.target_id)
    titles = {kind: TARGETS[kind][1](session, ids) for kind, ids in wanted.items()}
    for view in views:
        found = titles.get(view.kudos.target_type or "", {}).get(view.kudos.target_id or 0)
        if found is not None:
            view.target_title, view.target_url = found
    return Page(items=views, next_cursor=next_cursor)


def kudos_received(
    session: Session, *, viewer: User, person: User, cursor: str | None = None, limit: int = 20
) -> Page[KudosView]:
    """Kudos a person received, as the viewer may see them."""
    where = [col(Kudos.receiver_id) == person.id, visible_to(viewer)]
    return _page(session, where, cursor, limit)


def _shown_in_space(access: SpaceAccess) -> list[ColumnElement[bool]]:
    """Kudos tied to a space's content whose receivers chose to show them there."""
    require_read(access)
    allowed = exists().where(
        col(RecognitionPreference.user_id) == Kudos.receiver_id,
        col(RecognitionPreference.kudos_in_space).is_(True),
    )
    return [col(Kudos.space_id) == access.space.id, allowed]


def kudos_in_space(
    session: Session, *, access: SpaceAccess, cursor: str | None = None, limit: int = 20
) -> Page[KudosView]:
    """The thank-you wall: a space's shown kudos with what they were for, newest first."""
    return _page(session, _shown_in_space(access), cursor, limit)


def kudos_given_and_received(session: Session, *, user: User) -> list[Kudos]:
    """Every kudos row that names the person (for "what Agora stores about me")."""
    return list(
        session.exec(
            select(Kudos)
            .where((Kudos.giver_id == user.id) | (Kudos.receiver_id == user.id))
            .order_by(col(Kudos.created_at), col(Kudos.id))
        )
    )
