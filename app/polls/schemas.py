"""Form input for date polls and quick polls (app.core.forms)."""

from typing import Any

from pydantic import ConfigDict, Field

from app.core.forms import FormId, FormInput


class RowsOfFields(FormInput):
    """A form whose rows are numbered fields (`starts_at_0`, `answer_12`, ...): they are kept
    as sent, every one text, beside the fields the model names."""

    model_config = ConfigDict(extra="allow", frozen=True)
    __pydantic_extra__: dict[str, str] = Field(init=False)

    def fields(self) -> dict[str, str]:
        """Every field that was sent, named and numbered, as text."""
        named = {name: value for name, value in self.model_dump().items() if value is not None}
        return {**named, **self.__pydantic_extra__}

    def shown(self) -> dict[str, Any]:
        return dict(self.fields())


class DatePollForm(RowsOfFields):
    """Propose dates: the poll's fields, then rows `starts_at_<n>` / `ends_at_<n>`; the service
    checks every value. `more` asks for more rows instead of saving."""

    title: str = ""
    description: str = ""
    timezone: str = ""
    closes_at: str = ""
    # How many rows the page showed (a hidden field).
    rows: str = ""
    more: str | None = None


class DateAnswersForm(RowsOfFields):
    """Answers to a date poll: `answer_<option id>` = yes / maybe / no, unanswered rows empty."""

    def answers(self) -> dict[str, str]:
        return {
            name.removeprefix("answer_"): value
            for name, value in self.fields().items()
            if name.startswith("answer_") and value
        }


class QuickPollForm(FormInput):
    """A quick poll in a post or beside a protocol; the service checks question and options."""

    question: str = ""
    # One option a line, as the textarea sends them.
    options: str = ""
    multiple: bool = False
    anonymous: str = "0"
    results: str = "after_answer"
    closes_at: str = ""

    def option_lines(self) -> list[str]:
        return [line for line in self.options.splitlines() if line.strip()]


class PollEventForm(FormInput):
    """Turn the chosen date into an event: where, and for how many (empty: no limit)."""

    option_id: FormId
    capacity: str = ""
    location: str = ""


class QuickVoteForm(FormInput):
    """The options chosen (one radio, or several checkboxes); the service checks them."""

    option_ids: list[FormId] = []
