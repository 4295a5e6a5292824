"""Form input for prompts, the showcase and home pins (app.core.forms)."""

from app.core.forms import FormInput


class PromptForm(FormInput):
    question: str = ""
    context: str = ""
    answer_format: str = ""
    # The library prompt the text came from, if any (a hidden field).
    library_key: str = ""
    # Wall time in the host's zone, as a datetime-local field sends it; empty: publish now.
    publish_at: str = ""


class ShowcaseForm(FormInput):
    """Moderators send tags, origin and link; everyone else a note with their suggestion."""

    tags: str = ""
    origin: str = "internal"
    external_url: str = ""
    note: str = ""


class HomePinForm(FormInput):
    # A day (YYYY-MM-DD): the pin lasts until that day's end in the admin's time zone.
    expires_at: str = ""
    unpin: bool = False
