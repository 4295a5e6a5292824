"""Form input for creating and editing a space (app.core.forms); the API's are in app.api."""

from app.core.forms import FormInput


class SpaceForm(FormInput):
    name: str = ""
    description: str = ""
    visibility: str = "public"
    join_policy: str = "open"
