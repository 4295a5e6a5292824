"""What recognition adds to the home page, a space page and a profile.

Each panel is one statement: a UNION of small id-only branches ("which leaders' posts", "whose
turn in the spotlight", "which badges beside the stream's names", ...) joined once to the rows
the template shows. Content is filtered by the posts domain's readable_and_shown, so the
panels obey the access policy like the streams do. The statements are built once per process
and run with the viewer, the time and the rotation slot as parameters (app.core.prepared).
"""

from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cache
from typing import Any, NamedTuple

from sqlalchemy import (
    Boolean,
    ColumnElement,
    Integer,
    String,
    and_,
    bindparam,
    false,
    func,
    literal,
    null,
    true,
    union_all,
)
from sqlmodel import Session, col, select

from app.access.kudos import awards_shown_to
from app.access.posts import comment_shown, readable_and_shown
from app.core import prepared
from app.core.db import not_indexed, utcnow
from app.core.prepared import NOW, VIEWER
from app.core.rows import columns, fetch
from app.people.models import PersonRow, User
from app.posts.models import Comment, Post, PostRow
from app.recognition.kudos import kudos_received
from app.recognition.models import Award, Badge, BadgeRow, RecognitionSettings
from app.recognition.service import EARLY_ADOPTER, badges_for, preferences, shows_badges
from app.spaces.access import SpaceAccess, require_read
from app.spaces.models import Membership, MemberState, Space, SpaceRow

SPOTLIGHT_HOURS = 1
VOICES = 3
SPACE_LEADERS = 12
SLOT = bindparam("slot", type_=Integer)
SPACE = bindparam("space_id", type_=Integer)


@dataclass
class Spotlight:
    """One early adopter, with what they contributed that the viewer can read."""

    person: PersonRow
    space: SpaceRow | None
    latest: PostRow | None = None
    posts: int = 0
    comments: int = 0


@dataclass
class HomePanel:
    voices: list[tuple[PostRow, PersonRow, SpaceRow]] = field(default_factory=list)
    spotlight: Spotlight | None = None


@dataclass
class SpacePanel:
    leaders: list[PersonRow] = field(default_factory=list)
    spotlight: Spotlight | None = None
    wall: bool = False


def rotation_slot() -> int:
    """Changes every hour, the same for everyone: the spotlight turns at a calm pace."""
    return int(utcnow().timestamp() // (3600 * SPOTLIGHT_HOURS))


# Every branch of a panel's UNION has these columns, in this order (missing ones are NULL).
_COLUMNS = {
    "user_id": Integer,
    "post_id": Integer,
    "space_id": Integer,
    "badge_id": Integer,
    "posts": Integer,
    "comments": Integer,
    "flag": Boolean,
}


def _ids(kind: str, **columns: Any) -> list[Any]:
    kind_column = literal(kind, String).label("kind")
    return [kind_column] + [
        columns.get(name, null().cast(type_)).label(name) for name, type_ in _COLUMNS.items()
    ]


def _in_scope(award_space: Any) -> ColumnElement[bool]:
    """Live posts the viewer can read (in the award's space, if it has one)."""
    return and_(
        *readable_and_shown(VIEWER, NOW),
        award_space.is_(None) | (col(Post.space_id) == award_space),
    )


def _spotlight_branch(in_space: bool) -> Any:
    """Whose turn it is: early adopters numbered in the database, one picked by the slot.

    People who hide their badges are never put in the spotlight.
    """
    where: list[ColumnElement[bool]] = [
        col(Badge.slug) == EARLY_ADOPTER,
        col(User.is_active).is_(True),
        shows_badges(Award.user_id),
    ]
    if in_space:
        where.append(col(Award.space_id) == SPACE)
    else:
        where.append(awards_shown_to(VIEWER))
    numbered = (
        select(
            col(Award.id).label("award_id"),
            func.row_number().over(order_by=col(Award.id)).label("n"),
            func.count().over().label("total"),
        )
        .join(Badge, col(Badge.id) == Award.badge_id)
        .join(User, col(User.id) == Award.user_id)
        .where(*where)
        .subquery("numbered")
    )
    scope = _in_scope(col(Award.space_id)) & (col(Post.author_id) == Award.user_id)
    latest = (
        select(Post.id)
        .where(scope)
        .order_by(col(Post.published_at).desc(), col(Post.id).desc())
        .limit(1)
        .scalar_subquery()
    )
    posts = select(func.count()).select_from(Post).where(scope).scalar_subquery()
    comments = (
        select(func.count())
        .select_from(Comment)
        .join(Post, col(Post.id) == Comment.post_id)
        .where(
            col(Comment.author_id) == Award.user_id,
            *comment_shown(),
            _in_scope(col(Award.space_id)),
        )
        .scalar_subquery()
    )
    return select(
        *_ids(
            "spotlight",
            user_id=col(Award.user_id),
            post_id=latest,
            space_id=col(Award.space_id),
            posts=posts,
            comments=comments,
        )
    ).where(
        col(Award.id) == numbered.c.award_id,
        numbered.c.n - 1 == SLOT % numbered.c.total,
    )


# What a panel row holds: the rows the templates show, then the branch's own columns.
_SHAPE = (PersonRow, PostRow, SpaceRow, BadgeRow)


class _PanelRow(NamedTuple):
    person: PersonRow | None
    post: PostRow | None
    space: SpaceRow | None
    badge: BadgeRow | None
    kind: str
    user_id: int | None
    space_id: int | None
    posts: int | None
    comments: int | None
    flag: bool | None


def _spotlight(row: _PanelRow) -> Spotlight | None:
    if row.person is None:
        return None
    return Spotlight(
        person=row.person,
        space=row.space,
        latest=row.post,
        posts=row.posts or 0,
        comments=row.comments or 0,
    )


def _mark_params(cards: Sequence[Any]) -> dict[str, list[int]]:
    pairs = {(card.post.author_id, card.space.id) for card in cards if card.post.author_id}
    users, spaces = sorted({u for u, _s in pairs}), sorted({s for _u, s in pairs})
    return {"mark_users": users, "mark_spaces": spaces}


def _marks_branch() -> Any:
    """The badges beside the names on the page's post cards (see service.attach_marks)."""
    return (
        select(
            *_ids(
                "mark",
                user_id=col(Award.user_id),
                space_id=col(Award.space_id),
                badge_id=col(Award.badge_id),
            )
        )
        .join(Badge, col(Badge.id) == Award.badge_id)
        .where(
            col(Badge.beside_name).is_(True),
            col(Award.user_id).in_(prepared.ids("mark_users")),
            col(Award.space_id).in_(prepared.ids("mark_spaces")),
            shows_badges(Award.user_id),
        )
    )


def _put_marks(cards: Sequence[Any], rows: list[_PanelRow]) -> None:
    marks: dict[tuple[int | None, int | None], list[BadgeRow]] = {}
    for row in rows:
        if row.kind == "mark" and row.badge is not None:
            marks.setdefault((row.user_id, row.space_id), []).append(row.badge)
    for card in cards:
        found = marks.get((card.post.author_id, card.space.id), [])
        card.author_marks = sorted(found, key=lambda badge: badge.name)


def _panel(branches: list[Any]) -> Any:
    parts = [select(branch.subquery()) for branch in branches]
    panel = union_all(*parts).subquery("panel")
    shown = columns(_SHAPE)
    shown += [panel.c.kind, panel.c.user_id, panel.c.space_id, panel.c.posts]
    shown += [panel.c.comments, panel.c.flag]
    query = (
        select(*shown)
        .outerjoin(User, col(User.id) == panel.c.user_id)
        .outerjoin(Post, col(Post.id) == panel.c.post_id)
        .outerjoin(Space, col(Space.id) == panel.c.space_id)
        .outerjoin(Badge, col(Badge.id) == panel.c.badge_id)
        .order_by(panel.c.kind, col(Post.published_at).desc(), col(User.display_name))
    )
    return query


def _rows(
    session: Session, statement: Any, viewer: User, slot: int | None, **more: Any
) -> list[_PanelRow]:
    slot = rotation_slot() if slot is None else slot
    values = prepared.values(viewer.id, utcnow(), slot=slot, **more)
    return [_PanelRow(*row) for row in fetch(session, statement, values, _SHAPE)]


def _voices_branch() -> Any:
    """The newest posts by leaders that the viewer can read.

    Leaders' posts carry a mark (Post.by_leader) with an index of their own, newest first and
    holding the space: the newest few readable ones are found in a few index steps whatever
    the number of leaders or posts. Visiting every leader for their newest post cost ~1 ms at
    100 leaders and grew with them.
    """
    return (
        select(
            *_ids(
                "voice",
                user_id=col(Post.author_id),
                post_id=col(Post.id),
                space_id=col(Post.space_id),
            )
        )
        .where(
            col(Post.by_leader) == true(),
            col(Post.author_id).is_not(None),
            # Access checked on the leaders' index rows; reaching posts through the readable
            # spaces instead walks every readable post (what SQLite chose without statistics).
            *readable_and_shown(VIEWER, NOW, space_id=not_indexed(Post.space_id)),
        )
        .order_by(col(Post.published_at).desc(), col(Post.id).desc())
        .limit(VOICES)
    )


@cache
def _home_statement(with_marks: bool) -> Any:
    branches = [_voices_branch(), _spotlight_branch(in_space=False)]
    return _panel([*branches, _marks_branch()] if with_marks else branches)


@cache
def _space_statement(with_marks: bool) -> Any:
    wall = select(RecognitionSettings.thank_you_wall).where(RecognitionSettings.id == 1)
    settings = select(*_ids("settings", flag=func.coalesce(wall.scalar_subquery(), false())))
    leaders = (
        select(*_ids("leader", user_id=col(User.id)))
        .join(Membership, col(Membership.user_id) == User.id)
        .where(
            Membership.space_id == SPACE,
            Membership.state == MemberState.active,
            col(User.is_leader).is_(True),
            col(User.is_active).is_(True),
        )
        .order_by(col(User.display_name))
        .limit(SPACE_LEADERS)
    )
    branches = [settings, leaders, _spotlight_branch(in_space=True)]
    return _panel([*branches, _marks_branch()] if with_marks else branches)


def home_panel(
    session: Session,
    *,
    user: User,
    cards: Sequence[Any] = (),
    slot: int | None = None,
) -> HomePanel:
    """Leaders' voices (recent posts by leaders that the viewer can read) and the spotlight;
    also puts the badges beside names on the stream's cards, all in one query."""
    marks = _mark_params(cards)
    statement = _home_statement(bool(marks["mark_users"]))
    panel = HomePanel()
    rows = _rows(session, statement, user, slot, **marks)
    for row in rows:
        if row.kind == "voice" and row.post and row.person and row.space:
            panel.voices.append((row.post, row.person, row.space))
        elif row.kind == "spotlight":
            panel.spotlight = _spotlight(row)
    _put_marks(cards, rows)
    return panel


def space_panel(
    session: Session,
    *,
    access: SpaceAccess,
    cards: Sequence[Any] = (),
    slot: int | None = None,
) -> SpacePanel:
    """The leaders who are members, the space's spotlight, the wall setting and the badges
    beside the names on the page's cards, in one query."""
    require_read(access)
    marks = _mark_params(cards)
    statement = _space_statement(bool(marks["mark_users"]))
    panel = SpacePanel()
    rows = _rows(session, statement, access.user, slot, space_id=access.space.id, **marks)
    for row in rows:
        if row.kind == "settings":
            panel.wall = bool(row.flag)
        elif row.kind == "leader" and row.person:
            panel.leaders.append(row.person)
        elif row.kind == "spotlight":
            panel.spotlight = _spotlight(row)
    _put_marks(cards, rows)
    return panel


def profile_panel(session: Session, *, viewer: User, person: User) -> dict[str, Any]:
    """Badges (with reason and date) and recent kudos on a profile, as the viewer may see them."""
    return {
        "badges": badges_for(session, viewer=viewer, person=person),
        "kudos": kudos_received(session, viewer=viewer, person=person, limit=5),
        "hides_badges": preferences(session, user_id=person.id).hide_badges,  # type: ignore[arg-type]
        "can_thank": viewer.id != person.id and person.is_active,
    }
