"""A space's own page: the space, the reader's membership and the member count, as rows in one
query.

`space_access_by_slug` loads the space and the membership as entities, for the actions that
change them; the page only shows them, and the count came by a query of its own. Whether the
reader may know of the space, and read it, is decided by SpaceAccess as everywhere else.
"""

from functools import cache
from typing import Any, cast

from sqlalchemy import String, bindparam, select
from sqlmodel import Session, col

from app.access.spaces import SpaceAccess, with_membership
from app.core.errors import NotFound
from app.core.prepared import VIEWER
from app.core.rows import columns, fetch
from app.people.models import User
from app.spaces.models import Membership, MembershipRow, Space, SpaceHeadRow
from app.spaces.service import member_count_column

SHAPE = (SpaceHeadRow, MembershipRow)


@cache
def _statement() -> Any:
    query = select(*columns(SHAPE), member_count_column(Space.id)).select_from(Space)
    slug = bindparam("slug", type_=String)
    return with_membership(query, VIEWER).where(col(Space.slug) == slug)


def read_space_page(session: Session, *, user: User, slug: str) -> tuple[SpaceAccess, int]:
    """The reader's access to the space of this slug and its member count; 404 unless they may
    know of it (as space_access_by_slug)."""
    found = fetch(session, _statement(), {"slug": slug, "viewer_id": user.id}, SHAPE)
    if not found:
        raise NotFound("Space not found")
    space, membership, count = found[0]
    # SpaceAccess reads the space's visibility and archived_at and the membership's state and
    # role: the rows carry them (and a field they lack fails loudly: slotted classes).
    membership = cast(Membership | None, membership)
    access = SpaceAccess(space=cast(Space, space), membership=membership, user=user)
    if not access.can_list:
        raise NotFound("Space not found")
    return access, int(count)
