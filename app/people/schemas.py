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


class NewPasswordForm(FormInput):
    """The password chosen with a reset link or an invitation."""

    password: Password = ""


class LoginForm(FormInput):
    """Sign-in with a password; `next` is where to go after (checked before it is followed)."""

    email: Email = ""
    password: Password = ""
    next: Annotated[str, Field(max_length=500)] = "/"


class InviteForm(FormInput):
    """An admin invites a person; the service checks the address and the name."""

    email: str = ""
    display_name: str = ""


class EraseForm(FormInput):
    """An admin erases a person: what becomes of their content, confirmed by typing the address."""

    content: Annotated[str, Field(max_length=10)] = ""
    confirm_email: Email = ""
