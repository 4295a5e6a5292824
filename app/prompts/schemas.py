"""Form input for prompts (app.core.forms)."""

from app.core.forms import FormInput


class PromptForm(FormInput):
    question: str = ""
    context: str = ""
    answer_format: str = ""
    # The library prompt the text came from, if any (a hidden field).
    library_key: str = ""
    # Wall time in the host's zone, as a datetime-local field sends it; empty: publish now.
    publish_at: str = ""
