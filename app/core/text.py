"""The one rule for text people send: forms, query strings and the JSON API alike.

Text may hold any Unicode character except the C0 control characters other than tab, newline
and carriage return (NUL and its kin), and lone surrogates (which are not characters and cannot
be stored as UTF-8). PostgreSQL refuses NUL in text with an error while SQLite stores it, so
without this rule the same input was a 500 on one engine and silently kept on the other.

- Services check their fields with `clean_text` (or `text_problem` where they collect several
  errors), so a form re-renders with the message beside the field and the API names the field.
- API inputs (app.api.schemas.Input) apply `text_problem` to every string field.
- `refuse_bad_text_on_flush` is the safety net beneath both: whatever an ORM object is about to
  write goes through the same rule, so a field a service forgot to check is a 422, not a 500 on
  PostgreSQL and stored text on SQLite.
"""

import re
from typing import Any

from sqlalchemy import event, inspect
from sqlalchemy.orm import Session

from app.core.errors import Invalid
from app.core.i18n import N_

FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff]")
CONTROL_CHARACTER = N_(
    "Remove the control character (such as a NUL byte) from this text: it cannot be stored"
)
REQUIRED = N_("This field is required")
TOO_LONG = N_("Too long: at most %(max)s characters")


def text_problem(value: str) -> str | None:
    """The message for text that breaks the rule, or None when it is fine."""
    return CONTROL_CHARACTER if FORBIDDEN.search(value) else None


def check_characters(value: str, *, field: str) -> str:
    """The value itself, or Invalid naming the field when it holds a forbidden character."""
    problem = text_problem(value)
    if problem:
        raise Invalid(problem, field=field)
    return value


def clean_text(
    value: str, *, field: str, max_length: int, required: bool = False, empty: str = REQUIRED
) -> str:
    """Trimmed text within the rule and the field's length; Invalid naming the field otherwise."""
    value = check_characters(value, field=field).strip()
    if required and not value:
        raise Invalid(empty, field=field)
    if len(value) > max_length:
        raise Invalid(TOO_LONG, field=field, max=max_length)
    return value


def without_forbidden(value: str) -> str:
    """Text with forbidden characters dropped, for text no person typed as such (a document
    derived from live edits, a search term that cannot match stored text anyway)."""
    return FORBIDDEN.sub("", value)


def _bad_field(obj: Any, keys: Any) -> str | None:
    state = inspect(obj)
    for key in keys:
        value = state.dict.get(key)
        if isinstance(value, str) and FORBIDDEN.search(value):
            return str(key)
    return None


@event.listens_for(Session, "before_flush")
def refuse_bad_text_on_flush(session: Session, _context: Any, _instances: Any) -> None:
    """New rows are checked whole, changed rows only in the attributes that changed."""
    for obj in session.new:
        field = _bad_field(obj, inspect(obj).mapper.column_attrs.keys())
        if field:
            raise Invalid(CONTROL_CHARACTER, field=field)
    for obj in session.dirty:
        field = _bad_field(obj, inspect(obj).committed_state.keys())
        if field:
            raise Invalid(CONTROL_CHARACTER, field=field)
