"""Notifications: a person's own, and one about a space's content only while they may read it."""

from typing import Any

from sqlalchemy import ColumnElement, or_
from sqlmodel import col

from app.access.spaces import readable_space_ids_of
from app.notifications.models import Notification


def notifications_shown_to(user_id: Any) -> ColumnElement[bool]:
    """WHERE clause on Notification (`user_id` may be a bind parameter).

    Leaving a private space takes its notifications with it: they were about content the person
    can no longer open."""
    return (col(Notification.user_id) == user_id) & or_(
        col(Notification.space_id).is_(None),
        col(Notification.space_id).in_(readable_space_ids_of(user_id)),
    )
