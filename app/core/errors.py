"""Domain errors: a status and a message users can read, raised by services, shown by routes."""

from typing import Any

from app.core.i18n import N_, gettext

# Defaults are marked here so they reach the catalogue; text() translates them when shown.
NOT_FOUND = N_("Not found")
NOT_ALLOWED = N_("You may not do that here")


class DomainError(Exception):
    status_code = 400

    def __init__(self, message: str, *, field: str | None = None, **params: Any) -> None:
        super().__init__(message)
        self.message = message
        self.field = field
        self.params = params

    def text(self) -> str:
        """The message in the current language, with its values filled in."""
        return gettext(self.message, **self.params)


class NotFound(DomainError):
    """Missing, or not visible to the caller: both answer the same, so nothing leaks."""

    status_code = 404

    def __init__(self, message: str = NOT_FOUND, **kwargs: Any) -> None:
        super().__init__(message, **kwargs)


class Forbidden(DomainError):
    status_code = 403

    def __init__(self, message: str = NOT_ALLOWED, **kwargs: Any) -> None:
        super().__init__(message, **kwargs)


class Invalid(DomainError):
    status_code = 422


class Conflict(DomainError):
    status_code = 409


class TooManyRequests(DomainError):
    status_code = 429


class LoginRequired(Exception):
    """Raised by the page dependencies; answered with a redirect to the sign-in page."""
