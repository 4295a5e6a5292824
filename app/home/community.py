"""What the community adds to the home page: pinned announcements, the checklist, the showcase."""

from typing import Any

from sqlmodel import Session

from app.announcements.service import home_pins
from app.onboarding.service import checklist, is_newcomer
from app.people.models import User
from app.showcase.service import newest_showcase


def home_extras(session: Session, *, user: User) -> dict[str, Any]:
    """Context for the home page's community blocks, in a fixed number of queries."""
    return {
        "site_pins": home_pins(session),
        # Only newcomers see the checklist on home, so only they pay for its query.
        "checklist": checklist(session, user=user) if is_newcomer(user) else None,
        "showcase_latest": newest_showcase(session, user=user),
    }
