"""The admins' people list: search, keyset pages, how each person signs in; the admin role."""

from dataclasses import dataclass

from sqlalchemy import func, or_
from sqlmodel import Session, col, select

from app.core.errors import Invalid
from app.core.pagination import Cursor, Page, older_than
from app.people.models import SiteRole, User
from app.people.service import record_audit
from app.people.sso.models import OidcLink

PAGE_SIZE = 50


@dataclass(frozen=True, slots=True)
class Listed:
    person: User
    sign_in: str  # "sso", "password" or "invited" (no way in yet)


def _like(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def list_people(session: Session, *, search: str = "", cursor: str | None = None) -> Page[Listed]:
    """Everyone, newest first, matching the search in name, email or handle; one query."""
    query = select(User, OidcLink.id).outerjoin(
        OidcLink,
        OidcLink.user_id == User.id,  # type: ignore[arg-type]
    )
    search = search.strip().lower()[:100]
    if search:
        like = _like(search)
        query = query.where(
            or_(
                func.lower(User.display_name).like(like, escape="\\"),
                col(User.email).like(like, escape="\\"),
                col(User.handle).like(like, escape="\\"),
            )
        )
    query = older_than(query, cursor, at=col(User.created_at), row_id=col(User.id))
    rows = session.exec(
        query.order_by(col(User.created_at).desc(), col(User.id).desc()).limit(PAGE_SIZE + 1)
    ).all()
    items = [
        Listed(
            person=user,
            sign_in="sso" if link_id else ("password" if user.password_hash else "invited"),
        )
        for user, link_id in rows[:PAGE_SIZE]
    ]
    next_cursor = None
    if len(rows) > PAGE_SIZE:
        last = items[-1].person
        next_cursor = Cursor(at=last.created_at, id=last.id or 0).encode()
    return Page(items=items, next_cursor=next_cursor)


def set_admin(session: Session, *, user: User, admin: bool, actor: User) -> None:
    """Make someone an admin, or a member again (never oneself: an admin stays)."""
    if user.id == actor.id and not admin:
        raise Invalid("You cannot take away your own admin role")
    change_admin_role(session, user=user, admin=admin, actor=actor)
    session.flush()


def change_admin_role(
    session: Session, *, user: User, admin: bool, actor: User | None, detail: str = ""
) -> None:
    """Set the role and audit the change (actor None: the identity provider's groups)."""
    if user.is_admin == admin:
        return
    user.site_role = SiteRole.admin if admin else SiteRole.member
    session.add(user)
    record_audit(
        session,
        actor=actor,
        action="user.admin_grant" if admin else "user.admin_revoke",
        target_type="user",
        target_id=user.id,
        detail=detail,
    )
