"""What the prompt library page shows: the library for the space's type, what is used."""

from typing import Any

from sqlmodel import Session

from app.core.i18n import get_locale
from app.prompts import service as prompts
from app.prompts.library import SPACE_TYPES, prompts_for
from app.spaces.access import SpaceAccess
from app.spaces.service import member_count


def library_page(session: Session, *, access: SpaceAccess, type: str | None) -> dict[str, Any]:
    """The library for a type of space (`type`, else the space's own), which of its prompts
    the space used, and the prompts posted there."""
    space_type = prompts.space_type_of(access, type)
    return {
        "access": access,
        "space": access.space,
        "member_count": member_count(session, access.space.id),
        "space_type": space_type,
        "space_types": SPACE_TYPES,
        "library": prompts_for(space_type),
        "used": prompts.used_library_keys(session, access=access),
        "locale": get_locale(),
        "posted": prompts.prompts_in_space(session, access=access),
    }
