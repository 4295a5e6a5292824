"""Keyset cursors: an opaque token for "after this (timestamp, id)", never an offset."""

import base64
import binascii
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Generic, Protocol, Self, TypeVar

from sqlalchemy import and_, or_

from app.core.errors import Invalid
from app.core.ids import MAX_ID

T = TypeVar("T")


@dataclass(frozen=True)
class Cursor:
    at: datetime
    id: int

    def encode(self) -> str:
        raw = f"{self.at.astimezone(UTC).isoformat()}|{self.id}".encode()
        return base64.urlsafe_b64encode(raw).decode().rstrip("=")

    @classmethod
    def decode(cls, token: str | None) -> "Cursor | None":
        if not token:
            return None
        try:
            raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)).decode()
            at_text, id_text = raw.split("|", 1)
            at = datetime.fromisoformat(at_text)
            if at.tzinfo is None:
                raise ValueError("naive")
            row_id = int(id_text)
            # Cursors are made from row ids (negated where a merged stream marks a second
            # kind of row); a larger number would fail in the database.
            if not -MAX_ID <= row_id <= MAX_ID:
                raise ValueError("id out of range")
            return cls(at=at, id=row_id)
        except (ValueError, binascii.Error, UnicodeDecodeError) as exc:
            raise Invalid("That page link is not valid", field="cursor") from exc

    @classmethod
    def required(cls, token: str) -> "Cursor":
        """A cursor that must be there (e.g. where a live page started): 422 when it is not."""
        cursor = cls.decode(token)
        if cursor is None:
            raise Invalid("That page link is not valid", field="cursor")
        return cursor


@dataclass
class Page(Generic[T]):
    items: list[T]
    next_cursor: str | None


class _Filterable(Protocol):
    def where(self, *clauses: Any) -> Self: ...


Q = TypeVar("Q", bound=_Filterable)


def older_than(query: Q, cursor: str | None, *, at: Any, row_id: Any) -> Q:
    """Restrict a newest-first query ordered by (at, row_id) to the rows after the cursor."""
    after = Cursor.decode(cursor)
    if after is None:
        return query
    return query.where(or_(at < after.at, and_(at == after.at, row_id < after.id)))
