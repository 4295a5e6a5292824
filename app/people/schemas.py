"""Form input for a person's own settings (app.core.forms)."""

from typing import Annotated

from pydantic import Field

from app.core.forms import FormInput


class SettingsForm(FormInput):
    """The settings page's profile and preferences; the service checks every value."""

    display_name: str = ""
    title: str = ""
    department: str = ""
    locale: str = "en"
    time_zone: str = "Europe/Berlin"
    theme: str = "system"


# Longer than any password or address a person types; the services check the real rules.
Password = Annotated[str, Field(max_length=1000)]
Email = Annotated[str, Field(max_length=254)]


class PasswordForm(FormInput):
    """Settings → password: the current one proves it is the person, then the new one."""

    current_password: Password = ""
    new_password: Password = ""
    revoke_tokens: bool = False


class ForgotPasswordForm(FormInput):
    """The address a reset link is sent to (the same answer whether it has an account or not)."""

    email: Email = ""


class ResetPasswordForm(FormInput):
    """The new password chosen with a reset link."""

    password: Password = ""
