"""Form input for protocols (app.core.forms)."""

from app.core.forms import FormCounter, FormInput


class NewProtocolForm(FormInput):
    """A new protocol: its title and the template it starts from; the service checks both."""

    title: str = ""
    template: str = "meeting"


class ProtocolEditForm(FormInput):
    """The plain (no JavaScript) editor: the whole text, and the version it was loaded at, so a
    save over someone else's change is shown as a conflict instead of overwriting it."""

    text: str = ""
    base_version: FormCounter = 0


class ActionItemForm(FormInput):
    """An action item ticked or unticked, and where (its protocol's panel or "My action items")."""

    done: bool = True
    shown_in: str = ""
