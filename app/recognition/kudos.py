"""Kudos: a thank-you with a message, optionally tied to content, within a monthly budget.

Who sees a kudos: if it is tied to content, only people who can read that content's space (the
message may talk about it); if not, every signed-in colleague. Nothing else decides this.
"""

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import ColumnElement, exists, func, or_, tuple_
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, select

from app.db import utcnow
from app.errors import Invalid, TooManyRequests
from app.notifications.service import notify
from app.pagination import Cursor, Page
from app.people.models import User
from app.posts.models import Comment, Post
from app.posts.service import load_comment, load_post
from app.recognition.engine import run_rules
from app.recognition.models import Kudos, KudosTarget, RecognitionPreference
from app.recognition.service import site_settings
from app.spaces.access import SpaceAccess, access_for, readable_space_ids, require_read
from app.spaces.models import Space

MAX_MESSAGE = 500


@dataclass(frozen=True)
class TargetInfo:
    """What kudos need to know about the content they are tied to."""

    space: Space
    author_ids: list[int]


# A loader checks that the giver may read the target (404 otherwise) and describes it.
TargetLoader = Callable[[Session, User, int], TargetInfo]
# A titler gives (title, address) for the targets that still exist and are shown, by id.
TargetTitler = Callable[[Session, list[int]], dict[int, tuple[str, str]]]


def _load_post(session: Session, giver: User, post_id: int) -> TargetInfo:
    post, access = load_post(session, user=giver, post_id=post_id)
    return TargetInfo(space=access.space, author_ids=[post.author_id] if post.author_id else [])


def _load_comment(session: Session, giver: User, comment_id: int) -> TargetInfo:
    comment, _post, access = load_comment(session, user=giver, comment_id=comment_id)
    authors = [comment.author_id] if comment.author_id else []
    return TargetInfo(space=access.space, author_ids=authors)


def _live(post: type[Post] = Post) -> ColumnElement[bool]:
    return col(post.deleted_at).is_(None) & col(post.hidden_at).is_(None)


def _post_titles(session: Session, ids: list[int]) -> dict[int, tuple[str, str]]:
    rows = session.exec(select(Post.id, Post.title).where(col(Post.id).in_(ids), _live()))
    return {pid: (title, f"/posts/{pid}") for pid, title in rows}  # type: ignore[misc]


def _comment_titles(session: Session, ids: list[int]) -> dict[int, tuple[str, str]]:
    rows = session.exec(
        select(Comment.id, Post.id, Post.title)
        .join(Post, col(Post.id) == Comment.post_id)
        .where(col(Comment.id).in_(ids), col(Comment.deleted_at).is_(None), _live())
        .where(col(Comment.hidden_at).is_(None))
    )
    return {cid: (title, f"/posts/{pid}#comment-{cid}") for cid, pid, title in rows}  # type: ignore[misc]


TARGETS: dict[str, tuple[TargetLoader, TargetTitler]] = {
    KudosTarget.post: (_load_post, _post_titles),
    KudosTarget.comment: (_load_comment, _comment_titles),
}


def register_target(kind: KudosTarget, loader: TargetLoader, titler: TargetTitler) -> None:
    """Another domain (protocols) makes its content something kudos can be tied to."""
    TARGETS[kind] = (loader, titler)


def month_start(user: User, now: datetime | None = None) -> datetime:
    """The start of the giver's current calendar month, in their own time zone."""
    try:
        zone = ZoneInfo(user.time_zone)
    except (ZoneInfoNotFoundError, ValueError):
        zone = ZoneInfo("UTC")
    local = (now or utcnow()).astimezone(zone)
    return local.replace(day=1, hour=0, minute=0, second=0, microsecond=0).astimezone(UTC)


def budget_used(session: Session, *, giver: User) -> int:
    """Kudos given this month; thanking several co-authors at once counts once."""
    return session.exec(
        select(func.count(func.distinct(Kudos.batch))).where(
            Kudos.giver_id == giver.id, Kudos.created_at >= month_start(giver)
        )
    ).one()


def budget_left(session: Session, *, giver: User) -> int:
    return max(0, site_settings(session).kudos_monthly_budget - budget_used(session, giver=giver))


def give_kudos(
    session: Session,
    *,
    giver: User,
    message: str,
    receiver_ids: list[int] | None = None,
    target_type: str | None = None,
    target_id: int | None = None,
) -> list[Kudos]:
    """Thank one or more colleagues; without receivers, the authors of the target are thanked."""
    message = message.strip()
    if not message:
        raise Invalid("Write a short message", field="message")
    if len(message) > MAX_MESSAGE:
        raise Invalid("Too long: at most %(max)s characters", field="message", max=MAX_MESSAGE)
    target: TargetInfo | None = None
    if target_type is not None or target_id is not None:
        if target_type not in TARGETS or target_id is None:
            raise Invalid("Kudos can be tied to a post or a comment", field="target")
        target = TARGETS[target_type][0](session, giver, target_id)
    wanted = list(dict.fromkeys(receiver_ids or (target.author_ids if target else [])))
    if not wanted:
        raise Invalid("Choose whom to thank", field="to_user_id")
    if giver.id in wanted:
        raise Invalid("You cannot give kudos to yourself", field="to_user_id")
    receivers = list(
        session.exec(select(User).where(col(User.id).in_(wanted), col(User.is_active).is_(True)))
    )
    if len(receivers) != len(wanted):
        raise Invalid("No such person", field="to_user_id")
    if target is not None:
        for receiver in receivers:
            if not access_for(session, receiver, target.space).can_read:
                raise Invalid(
                    "%(name)s cannot see this, so the kudos cannot be tied to it",
                    field="to_user_id",
                    name=receiver.display_name,
                )
    budget = site_settings(session).kudos_monthly_budget
    if budget_used(session, giver=giver) >= budget:
        raise TooManyRequests(
            "You have given all %(budget)s kudos for this month. Thank you for being generous!",
            budget=budget,
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
    for row in rows:
        notify(
            session,
            user_id=row.receiver_id,
            kind="kudos",
            text=f"{giver.display_name} gave you kudos: “{message[:200]}”",
            url=f"/people/{row.receiver_id}#kudos",
            actor_id=giver.id,
            space_id=row.space_id,
        )
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
    return or_(col(Kudos.space_id).is_(None), col(Kudos.space_id).in_(readable_space_ids(viewer)))


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


def recent_thanks(session: Session, *, access: SpaceAccess, limit: int = 3) -> list[KudosView]:
    """The latest shown kudos of a space, for its page: one query, without target titles."""
    rows = session.exec(_with_people(*_shown_in_space(access)).limit(limit)).all()
    return [KudosView(kudos=k, giver=g, receiver=r, space=s) for k, g, r, s in rows]


def kudos_given_and_received(session: Session, *, user: User) -> list[Kudos]:
    """Every kudos row that names the person (for "what Agora stores about me")."""
    return list(
        session.exec(
            select(Kudos)
            .where((Kudos.giver_id == user.id) | (Kudos.receiver_id == user.id))
            .order_by(col(Kudos.created_at), col(Kudos.id))
        )
    )
