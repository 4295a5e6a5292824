"""Site announcements pinned on everyone's home page by admins, with an optional expiry."""

from datetime import datetime
from functools import cache
from typing import Any

from sqlalchemy import bindparam, delete, or_
from sqlmodel import Session, col, select

from app.access.posts import is_shown, post_shown
from app.access.spaces import is_open_to_everyone, public_spaces_filter
from app.announcements.models import SitePin, SitePinRow
from app.core.db import utcnow
from app.core.errors import Forbidden, Invalid, NotFound
from app.core.prepared import NOW
from app.core.rows import fetch
from app.people.models import User
from app.people.service import record_audit
from app.posts.models import Post, PostKind, PostRow
from app.posts.service import load_post
from app.spaces.models import Space, SpaceRow

MAX_HOME_PINS = 5


def pin_on_home(
    session: Session, *, user: User, post_id: int, expires_at: datetime | None = None
) -> SitePin:
    """An admin pins an announcement from a public space on home, until expires_at if given."""
    if not user.is_admin:
        raise Forbidden("Only administrators may do that")
    post, access = load_post(session, user=user, post_id=post_id)
    if post.kind != PostKind.announcement or not is_open_to_everyone(access.space):
        raise Invalid("Only announcements in public spaces can be pinned on home")
    if not is_shown(post):
        raise Invalid("Only published, visible announcements can be pinned on home")
    if expires_at is not None and expires_at <= utcnow():
        raise Invalid("Choose an expiry in the future", field="expires_at")
    pin = session.exec(select(SitePin).where(SitePin.post_id == post.id)).first()
    if pin is None:
        pin = SitePin(post_id=post.id)  # type: ignore[arg-type]
    pin.pinned_by_id, pin.pinned_at, pin.expires_at = user.id, utcnow(), expires_at
    session.add(pin)
    record_audit(
        session,
        actor=user,
        action="site_pin.add",
        target_type="post",
        target_id=post.id,
        space_id=post.space_id,
        detail=f"until {expires_at.isoformat()}" if expires_at else "no expiry",
    )
    session.flush()
    return pin


def unpin_from_home(session: Session, *, user: User, post_id: int) -> None:
    if not user.is_admin:
        raise Forbidden("Only administrators may do that")
    post, _access = load_post(session, user=user, post_id=post_id)
    if not session.exec(delete(SitePin).where(col(SitePin.post_id) == post.id)).rowcount:
        raise NotFound("This post is not pinned on home")
    record_audit(
        session,
        actor=user,
        action="site_pin.remove",
        target_type="post",
        target_id=post.id,
        space_id=post.space_id,
    )
    session.flush()


def site_pin_for(session: Session, *, post_id: int) -> SitePin | None:
    return session.exec(select(SitePin).where(SitePin.post_id == post_id)).first()


# Pins in force read for home at most; admins pin a few, and the newest five are shown.
PINS_READ = 50


@cache
def _pins_in_force_statement() -> Any:
    return (
        select(*SitePinRow.columns())
        .where(or_(col(SitePin.expires_at).is_(None), col(SitePin.expires_at) > NOW))
        .order_by(col(SitePin.pinned_at).desc(), col(SitePin.id).desc())
        .limit(PINS_READ)
    )


@cache
def _pinned_posts_statement() -> Any:
    return (
        select(*PostRow.columns(), *SpaceRow.columns())
        .join(Space, col(Space.id) == Post.space_id)
        .where(
            # Placeholders, not prepared.ids(): SQLite then knows the list is short and reads
            # the posts by id (a JSON list looks like a table of unknown size to it).
            col(Post.id).in_(bindparam("post_ids", expanding=True)),
            public_spaces_filter(),
            *post_shown(Post, NOW),
        )
    )


def home_pins(session: Session) -> list[tuple[PostRow, SpaceRow, SitePinRow]]:
    """Pinned announcements still in force, newest pin first: public spaces only, so everyone
    may read them.

    The pins first, then their posts by id: in one join SQLite may start from the posts and
    read every public one when its statistics do not know that there are no pins (an empty
    table after a hand-run ANALYZE: 90 ms at 100,000 posts). Without pins, one small query.
    """
    now = utcnow()
    found = fetch(session, _pins_in_force_statement(), {"now": now}, (SitePinRow,))
    pins = [pin for (pin,) in found]
    if not pins:
        return []
    values = {"now": now, "post_ids": [pin.post_id for pin in pins]}
    rows = fetch(session, _pinned_posts_statement(), values, (PostRow, SpaceRow))
    posts = {post.id: (post, space) for post, space in rows}
    shown = [(*posts[pin.post_id], pin) for pin in pins if pin.post_id in posts]
    return shown[:MAX_HOME_PINS]
