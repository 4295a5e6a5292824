"""Announcements' job: expired pins come off, run with the other jobs (app/jobs.py).

Idempotent and safe when several processes run it at once: the DELETE claims what it removes.
"""

from sqlalchemy import delete
from sqlmodel import Session, col

from app.announcements.models import SitePin
from app.core.db import utcnow
from app.people.service import record_audit


def remove_expired_site_pins(session: Session) -> int:
    """Take announcements whose pin expired off the home page for good (home already hides them)."""
    expired = session.exec(
        delete(SitePin)
        .where(col(SitePin.expires_at).is_not(None), col(SitePin.expires_at) <= utcnow())
        .returning(col(SitePin.post_id))
    ).all()
    for (post_id,) in expired:
        record_audit(
            session, actor=None, action="site_pin.expire", target_type="post", target_id=post_id
        )
    session.flush()
    return len(expired)
