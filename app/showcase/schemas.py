"""Form input for the showcase (app.core.forms)."""

from app.core.forms import FormInput


class ShowcaseForm(FormInput):
    """Moderators send tags, origin and link; everyone else a note with their suggestion."""

    tags: str = ""
    origin: str = "internal"
    external_url: str = ""
    note: str = ""
