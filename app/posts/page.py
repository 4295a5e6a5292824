"""The post page's post, read as rows: the post, its author, its space, the reader's membership
and the space's member count in one query.

`service.load_post` loads entities, for the actions that change a post. The page only shows
it, and loading the post, space and membership as entities, the author by a second query and
the member count by a third was a fifth of the page's time (SQLAlchemy's instance processing
alone 11% of its samples). Whether the reader may read the post is decided by the same rule
(`may_read_post` on a SpaceAccess) as everywhere else.
"""

from dataclasses import dataclass
from datetime import datetime
from functools import cache
from typing import Any, cast

from sqlalchemy import Integer, bindparam, select
from sqlmodel import Session, col

from app.access.posts import may_read_post
from app.access.spaces import SpaceAccess, with_membership
from app.core.errors import NotFound
from app.core.prepared import VIEWER
from app.core.rows import columns, fetch
from app.people.models import PersonRow, User
from app.posts.models import Post, PostRow
from app.posts.streams import PostCard, cards
from app.spaces.models import Membership, MembershipRow, Space, SpaceRow
from app.spaces.service import member_count_column


@dataclass(slots=True)
class ShownPost(PostRow):
    """A post as its page shows it, with what decides whether it may be read at all."""

    deleted_at: datetime | None


@dataclass(slots=True)
class ShownSpace(SpaceRow):
    """The space of a post page: what its cards show and what the access rule reads."""

    archived_at: datetime | None


SHAPE = (ShownPost, PersonRow, ShownSpace, MembershipRow)


@dataclass(slots=True)
class PostPage:
    card: PostCard
    access: SpaceAccess
    member_count: int


@cache
def _statement() -> Any:
    count = member_count_column(Post.space_id)
    query = (
        select(*columns(SHAPE), count)
        .select_from(Post)
        .join(Space, col(Space.id) == Post.space_id)
        .outerjoin(User, col(User.id) == Post.author_id)
    )
    return with_membership(query, VIEWER).where(col(Post.id) == bindparam("post_id", type_=Integer))


def read_post_page(session: Session, *, user: User, post_id: int) -> PostPage:
    """A post the person may read, as its page shows it; 404 otherwise (as load_post)."""
    found = fetch(session, _statement(), {"post_id": post_id, "viewer_id": user.id}, SHAPE)
    if not found:
        raise NotFound("Post not found")
    post, author, space, membership, count = found[0]
    # SpaceAccess reads the space's visibility and archived_at and the membership's state and
    # role: the rows carry exactly those (and a missing one fails loudly: slotted classes).
    access = SpaceAccess(
        space=cast(Space, space), membership=cast(Membership | None, membership), user=user
    )
    if not may_read_post(post, access):
        raise NotFound("Post not found")
    (card,) = cards(session, user, [(post, author, space)])
    return PostPage(card=card, access=access, member_count=int(count))
