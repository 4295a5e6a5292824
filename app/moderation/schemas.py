"""Form input for flags and moderators' decisions (app.core.forms)."""

from app.core.forms import FormInput

REASONS = ("spam", "offensive", "confidential", "off-topic", "other")


class FlagForm(FormInput):
    """A flag on a post or comment: a preset reason and the person's own words."""

    reason: str = ""
    detail: str = ""

    def reason_text(self) -> str:
        """The preset the person picked plus their own words: moderators need both."""
        detail = self.detail.strip()
        if self.reason not in REASONS:
            return detail
        return f"{self.reason}: {detail}" if detail else self.reason


class DecisionForm(FormInput):
    """A moderator's decision on a flag, with a note, and the page to go back to."""

    action: str = ""
    note: str = ""
    back: str = "/moderation"
