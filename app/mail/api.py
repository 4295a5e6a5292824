"""The caller's email choices: GET and PATCH /me/notification-settings."""

from typing import Literal

from fastapi import APIRouter
from pydantic import BaseModel

from app.api.deps import ApiUser
from app.api.schemas import Input
from app.core.security import SessionDep
from app.core.transactions import TransactionalRoute
from app.mail import preferences

router = APIRouter(route_class=TransactionalRoute, tags=["me"])

Mode = Literal["immediately", "digest", "off"]
Digest = Literal["off", "daily", "weekly"]


class EmailChoices(BaseModel):
    mention: Mode
    reply: Mode
    action_item: Mode
    event: Mode
    kudos: Mode
    moderation: Mode


class EmailChoicesPatch(Input):
    mention: Mode | None = None
    reply: Mode | None = None
    action_item: Mode | None = None
    event: Mode | None = None
    kudos: Mode | None = None
    moderation: Mode | None = None


class NotificationSettingsOut(BaseModel):
    digest: Digest
    email: EmailChoices


class NotificationSettingsPatch(Input):
    """Only the fields given change."""

    digest: Digest | None = None
    email: EmailChoicesPatch | None = None


def _out(choices: preferences.Choices) -> NotificationSettingsOut:
    return NotificationSettingsOut.model_validate(
        {"digest": choices.digest, "email": choices.email}
    )


@router.get("/me/notification-settings", response_model=NotificationSettingsOut)
def notification_settings(session: SessionDep, user: ApiUser) -> NotificationSettingsOut:
    """What the caller gets by email: per kind, and how often the digest comes."""
    return _out(preferences.choices(session, user_id=user.id))  # type: ignore[arg-type]


@router.patch("/me/notification-settings", response_model=NotificationSettingsOut)
def change_notification_settings(
    session: SessionDep, user: ApiUser, data: NotificationSettingsPatch
) -> NotificationSettingsOut:
    """Change some choices; the others stay."""
    email = data.email.model_dump(exclude_none=True) if data.email else {}
    choices = preferences.update_choices(
        session,
        user_id=user.id,  # type: ignore[arg-type]
        digest=data.digest,
        email=email,
    )
    return _out(choices)
