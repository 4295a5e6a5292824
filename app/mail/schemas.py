"""Form input for Settings → Notifications (app.core.forms)."""

from app.core.forms import FormInput


class NotificationsForm(FormInput):
    """The digest and one email choice per kind (preferences.EMAIL_KINDS); the service checks
    every value. A field the form did not send stays None: that choice is left as it was."""

    digest: str | None = None
    email_mention: str | None = None
    email_reply: str | None = None
    email_action_item: str | None = None
    email_event: str | None = None
    email_kudos: str | None = None
    email_moderation: str | None = None

    def email(self) -> dict[str, str]:
        """The email choices sent, by kind."""
        sent = self.model_dump(exclude={"digest"}, exclude_none=True)
        return {name.removeprefix("email_"): value for name, value in sent.items()}
