"""Site announcements pinned on everyone's home page by admins, with an optional expiry."""

from datetime import datetime
from functools import cache
from typing import Any

from sqlalchemy import delete, or_
from sqlmodel import Session, col, select

from app.community.models import SitePin
from app.db import not_indexed, utcnow
from app.errors import Forbidden, Invalid, NotFound
from app.people.models import User
from app.people.service import record_audit
from app.posts.models import Post, PostKind
from app.posts.service import load_post
from app.prepared import NOW
from app.spaces.models import Space, Visibility

MAX_HOME_PINS = 5


def pin_on_home(
    session: Session, *, user: User, post_id: int, expires_at: datetime | None = None
) -> SitePin:
    """An admin pins an announcement from a public space on home, until expires_at if given."""
    if not user.is_admin:
        raise Forbidden("Only administrators may do that")
    post, access = load_post(session, user=user, post_id=post_id)
    if post.kind != PostKind.announcement or access.space.visibility != Visibility.public:
        raise Invalid("Only announcements in public spaces can be pinned on home")
    if post.hidden_at is not None or post.published_at > utcnow():
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


@cache
def _home_pins_statement() -> Any:
    return (
        select(Post, Space, SitePin)
        .join(SitePin, col(SitePin.post_id) == Post.id)
        # From the few pins to their posts, never from public spaces to all their posts (what
        # SQLite picks when statistics are missing or hand-made: 90 ms at 100k posts).
        .join(Space, col(Space.id) == not_indexed(Post.space_id))
        .where(
            or_(col(SitePin.expires_at).is_(None), col(SitePin.expires_at) > NOW),
            col(Space.visibility) == Visibility.public,
            col(Post.deleted_at).is_(None),
            col(Post.hidden_at).is_(None),
            col(Post.published_at) <= NOW,
        )
        .order_by(col(SitePin.pinned_at).desc())
        .limit(MAX_HOME_PINS)
    )


def home_pins(session: Session) -> list[tuple[Post, Space, SitePin]]:
    """Pinned announcements still in force, newest pin first: public spaces only, so everyone
    may read them."""
    rows = session.execute(_home_pins_statement(), {"now": utcnow()}).all()
    return [(p, s, pin) for p, s, pin in rows]
