"""Form input for creating and editing a space (app.core.forms); the API's are in app.api."""

from app.core.forms import FormInput


class SpaceForm(FormInput):
    name: str = ""
    description: str = ""
    visibility: str = "public"
    join_policy: str = "open"


class MemberForm(FormInput):
    """A host adds or invites a person: chosen in the picker (`person`, an id) or by email."""

    email: str = ""
    # The picker's id as text: what is not a person's id answers "Person not found".
    person: str = ""
    role: str = "member"
    mode: str = "add"

    @property
    def invites(self) -> bool:
        """Asked to join (they accept first) rather than added at once."""
        return self.mode == "invite"
