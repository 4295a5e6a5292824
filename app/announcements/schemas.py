"""Form input for home pins (app.core.forms)."""

from app.core.forms import FormInput


class HomePinForm(FormInput):
    # A day (YYYY-MM-DD): the pin lasts until that day's end in the admin's time zone.
    expires_at: str = ""
    unpin: bool = False
