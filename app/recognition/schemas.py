"""Form input for kudos, recognition settings and the admin's recognition page (app.core.forms)."""

from typing import TypedDict

from app.core.forms import FormId, FormInput


class Whom(TypedDict):
    """Whom kudos go to, as the service takes them: people by id, or without them the authors
    of what the kudos are tied to."""

    receiver_ids: list[int] | None
    target_type: str | None
    target_id: int | None


class LeaderForm(FormInput):
    email: str = ""
    title: str = ""
    # The list's "No longer a leader" buttons send false.
    is_leader: bool = True


class SettingsForm(FormInput):
    # Number fields: the service says when one is out of range, beside the field.
    early_adopter_count: int = 10
    kudos_monthly_budget: int = 20
    thank_you_wall: bool = False


class BadgeForm(FormInput):
    name: str = ""
    description: str = ""
    icon: str = "🏅"
    level: str = "bronze"


class AwardForm(FormInput):
    badge_id: FormId
    email: str = ""
    reason: str = ""
    # A space's address, to give the badge for that space; empty: for the whole site.
    space: str = ""


class KudosForm(FormInput):
    """Kudos as the form sends them: to a person (`to`), or to the authors of what they are tied
    to (`target_type`, `target_id`); the service checks the message and the budget."""

    to: FormId | None = None
    message: str = ""
    target_type: str | None = None
    target_id: FormId | None = None

    def whom(self) -> Whom:
        target_type = self.target_type or None
        return {
            "receiver_ids": [self.to] if self.to is not None else None,
            "target_type": target_type,
            "target_id": self.target_id if target_type else None,
        }


class PreferencesForm(FormInput):
    """A person's own recognition settings (two checkboxes)."""

    hide_badges: bool = False
    kudos_in_space: bool = False
