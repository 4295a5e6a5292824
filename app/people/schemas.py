"""Form input for a person's own settings (app.core.forms)."""

from app.core.forms import FormInput


class SettingsForm(FormInput):
    """The settings page's profile and preferences; the service checks every value."""

    display_name: str = ""
    title: str = ""
    department: str = ""
    locale: str = "en"
    time_zone: str = "Europe/Berlin"
    theme: str = "system"
