"""Form input as Pydantic models: a route takes `form: Annotated[PromptForm, Form()]`.

A form model names the fields a page posts and their types, so a handler reads `form.question`
instead of a row of loose parameters rebuilt into a dict, and a failed form shows what was typed
with `form.shown()`. Ids follow app.core.ids (the same range as paths and the JSON API).

What a person can get wrong (empty, too long, a control character, a bad date) is checked by
the service with app.core.text, the same rule the API goes through, so the page re-renders with
the message beside the field (web.form_error). Text fields therefore take any string here: a
browser may send more than a field's maxlength (a textarea sends line breaks as two characters),
and refusing it at this step would answer the bare 422 page and lose what was typed. Only what no
form of ours can send (an id that is not a number) is refused before the handler runs.
"""

from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field

from app.core.ids import MAX_ID

# An id chosen in a form (a select, a hidden field): "12" is read as 12, like a path parameter.
FormId = Annotated[int, Field(ge=1, le=MAX_ID)]
# A counter a form sends back (a revision number, a version): 0 is allowed.
FormCounter = Annotated[int, Field(ge=0, le=MAX_ID)]


class FormInput(BaseModel):
    """A submitted form. Fields it does not name (the CSRF token) are left aside."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    def shown(self) -> dict[str, Any]:
        """The values to fill the form with again after an error."""
        return self.model_dump()
