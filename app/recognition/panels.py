"""What recognition adds to the home page and to a space page, each in a few fixed queries.

Everything here that shows content starts from the posts domain's readable_posts_query, so it
obeys the access policy like the streams do.
"""

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import ColumnElement, func
from sqlmodel import Session, col, select

from app.db import utcnow
from app.people.models import User
from app.posts.models import Post
from app.posts.service import readable_posts_query
from app.recognition.kudos import KudosView, kudos_in_space
from app.recognition.models import Award, Badge
from app.recognition.service import EARLY_ADOPTER, shows_badges, site_settings
from app.spaces.access import SpaceAccess, readable_space_ids, require_read
from app.spaces.models import Membership, MemberState, Space

SPOTLIGHT_HOURS = 1


@dataclass
class Spotlight:
    """One early adopter, and what they wrote that the viewer can read."""

    person: User
    award: Award
    space: Space | None
    posts: list[tuple[Post, Space]] = field(default_factory=list)


def rotation_slot() -> int:
    """Changes every hour, the same for everyone: the spotlight turns at a calm pace."""
    return int(utcnow().timestamp() // (3600 * SPOTLIGHT_HOURS))


def leaders_voices(session: Session, *, viewer: User, limit: int = 3) -> list[Any]:
    """Recent posts by leaders, only from spaces the viewer can read (one query)."""
    query = (
        readable_posts_query(viewer)
        .where(col(User.is_leader).is_(True))
        .order_by(col(Post.published_at).desc(), col(Post.id).desc())
        .limit(limit)
    )
    return list(session.exec(query).all())


def leaders_in_space(session: Session, *, access: SpaceAccess, limit: int = 12) -> list[User]:
    """Leaders who are members of the space (the page is only shown to its readers)."""
    require_read(access)
    return list(
        session.exec(
            select(User)
            .join(Membership, col(Membership.user_id) == User.id)
            .where(
                Membership.space_id == access.space.id,
                Membership.state == MemberState.active,
                col(User.is_leader).is_(True),
                col(User.is_active).is_(True),
            )
            .order_by(col(User.display_name))
            .limit(limit)
        )
    )


def spotlight(
    session: Session, *, viewer: User, space: Space | None = None, slot: int | None = None
) -> Spotlight | None:
    """A rotating early adopter: of this space, or (home) of the site or any space the viewer
    can read. People who hide their badges are never put in the spotlight. Two queries.
    """
    where: list[ColumnElement[bool]] = [
        col(Badge.slug) == EARLY_ADOPTER,
        col(User.is_active).is_(True),
        shows_badges(Award.user_id),
    ]
    if space is not None:
        where.append(col(Award.space_id) == space.id)
    else:
        where.append(
            col(Award.space_id).is_(None) | col(Award.space_id).in_(readable_space_ids(viewer))
        )
    # Number the candidates and take the one whose turn it is, all in the database.
    candidates = (
        select(
            Award.id,
            func.row_number().over(order_by=col(Award.id)).label("n"),
            func.count().over().label("total"),
        )
        .join(Badge, col(Badge.id) == Award.badge_id)
        .join(User, col(User.id) == Award.user_id)
        .where(*where)
        .subquery()
    )
    turn = rotation_slot() if slot is None else slot
    row = session.exec(
        select(Award, User, Space)
        .join(candidates, candidates.c.id == Award.id)
        .join(User, col(User.id) == Award.user_id)
        .outerjoin(Space, col(Space.id) == Award.space_id)
        .where(candidates.c.n - 1 == turn % candidates.c.total)
    ).first()
    if row is None:
        return None
    award, person, award_space = row
    posts = readable_posts_query(viewer).where(col(Post.author_id) == person.id)
    if award_space is not None:
        posts = posts.where(col(Post.space_id) == award_space.id)
    recent = session.exec(
        posts.order_by(col(Post.published_at).desc(), col(Post.id).desc()).limit(2)
    ).all()
    return Spotlight(
        person=person, award=award, space=award_space, posts=[(p, s) for p, _a, s in recent]
    )


def home_panel(session: Session, *, user: User) -> dict[str, Any]:
    return {
        "voices": leaders_voices(session, viewer=user),
        "spotlight": spotlight(session, viewer=user),
    }


def space_panel(session: Session, *, access: SpaceAccess) -> dict[str, Any]:
    require_read(access)
    thanks: list[KudosView] = kudos_in_space(session, access=access, limit=3).items
    return {
        "leaders": leaders_in_space(session, access=access),
        "spotlight": spotlight(session, viewer=access.user, space=access.space),
        "thanks": thanks,
        "wall": site_settings(session).thank_you_wall,
    }
