"""Kudos and badges (awards): site-wide ones for everyone, a space's only for its readers."""

from typing import Any

from sqlalchemy import ColumnElement, or_
from sqlmodel import col

from app.access.spaces import readable_space_ids_of
from app.recognition.models import Award, Kudos


def kudos_shown_to(viewer_id: Any) -> ColumnElement[bool]:
    """Kudos the viewer may see: untied ones, and those tied to content in spaces they can read."""
    return or_(
        col(Kudos.space_id).is_(None), col(Kudos.space_id).in_(readable_space_ids_of(viewer_id))
    )


def awards_shown_to(viewer_id: Any) -> ColumnElement[bool]:
    """Badges the viewer may see: site-wide ones, and a space's where they can read it."""
    return or_(
        col(Award.space_id).is_(None), col(Award.space_id).in_(readable_space_ids_of(viewer_id))
    )
