"""Each person's email choices: per kind of notification, and how often a digest comes."""

from dataclasses import dataclass
from typing import Literal, get_args

from sqlmodel import Session

from app.core.errors import Invalid
from app.core.i18n import N_
from app.mail.models import NotificationSettings

Mode = Literal["immediately", "digest", "off"]
Digest = Literal["off", "daily", "weekly"]
MODES: tuple[str, ...] = get_args(Mode)
DIGESTS: tuple[str, ...] = get_args(Digest)

# The kinds a person chooses for, in the order the settings page shows them, with their labels
# and defaults (issue 17: what needs an answer soon arrives right away, the rest in the digest).
EMAIL_KINDS: dict[str, tuple[str, Mode]] = {
    "mention": (N_("Someone mentions me"), "immediately"),
    "reply": (N_("Replies to my posts and comments"), "digest"),
    "action_item": (N_("Action items assigned to me"), "immediately"),
    "event": (N_("Changes to events I said I'd attend"), "immediately"),
    "kudos": (N_("Kudos and badges"), "digest"),
    "moderation": (N_("Moderation outcomes"), "digest"),
}
DEFAULT_DIGEST: Digest = "weekly"
DIGEST_LABEL = N_("The digest of what I missed")
MODE_LABELS = {
    "immediately": N_("Right away"),
    "digest": N_("In my digest"),
    "off": N_("Off"),
}
DIGEST_LABELS = {"daily": N_("Daily"), "weekly": N_("Weekly"), "off": N_("Off")}

# Which choice a notification's kind falls under; kinds not named here are never emailed.
KIND_OF_NOTIFICATION: dict[str, str] = {
    "mention": "mention",
    "comment": "reply",
    "reply": "reply",
    "action_item": "action_item",
    "event_changed": "event",
    "event_cancelled": "event",
    "event_promoted": "event",
    "event_followup": "event",
    "event_recap": "event",
    "date_poll_decided": "event",
    "date_poll_invited": "event",
    "kudos": "kudos",
    "badge": "kudos",
    "moderation": "moderation",
    "showcase": "moderation",
    "flag": "moderation",
    "showcase_suggestion": "moderation",
}


@dataclass(frozen=True)
class Choices:
    digest: str
    email: dict[str, str]

    def mode(self, email_kind: str) -> str:
        return self.email.get(email_kind, "off")


def choices_of(row: NotificationSettings | None) -> Choices:
    """The person's choices, the defaults filled in where they made none."""
    stored = row.email if row is not None else {}
    email = {
        kind: stored.get(kind) if stored.get(kind) in MODES else default
        for kind, (_label, default) in EMAIL_KINDS.items()
    }
    digest = row.digest if row is not None and row.digest in DIGESTS else DEFAULT_DIGEST
    return Choices(digest=digest, email={k: str(v) for k, v in email.items()})


def choices(session: Session, *, user_id: int) -> Choices:
    return choices_of(session.get(NotificationSettings, user_id))


def update_choices(
    session: Session,
    *,
    user_id: int,
    digest: str | None = None,
    email: dict[str, str] | None = None,
) -> Choices:
    """Change some choices (the others stay); an unknown kind or value changes nothing."""
    if digest is not None and digest not in DIGESTS:
        raise Invalid(N_("Choose daily, weekly or off for the digest."), field="digest")
    for kind, mode in (email or {}).items():
        if kind not in EMAIL_KINDS:
            raise Invalid(N_("There is no such kind of email."), field=f"email.{kind}")
        if mode not in MODES:
            raise Invalid(N_("Choose right away, in my digest or off."), field=f"email.{kind}")
    row = session.get(NotificationSettings, user_id)
    current = choices_of(row)
    if row is None:
        row = NotificationSettings(user_id=user_id)
    row.digest = digest or current.digest
    row.email = {**current.email, **(email or {})}
    session.add(row)
    session.flush()
    return choices_of(row)
