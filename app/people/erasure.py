"""Erasure on request (GDPR Art. 17): the account goes, the person's name with it.

Order matters. The fact `PersonErasing` is published while the row still exists, so each domain
can find what belongs to the person (their posts, the mentions of their @handle, their credits)
and delete it or rewrite it without the name. Then the row is deleted: the foreign keys do the
rest — content the person wrote keeps its place with no author ("Former colleague"), and what only
made sense with the person (memberships, reactions, RSVPs, kudos, badges, poll answers,
notifications, sessions, tokens, invitations, the sign-in link) goes with the row.

The audit log keeps the act, not the data: the entry names the account by its number only, and
earlier entries about the person lose their details (which could hold an email or a group).
"""

import json
import re
from dataclasses import dataclass
from typing import Any, Literal

from sqlalchemy import JSON, ColumnElement, String, Table, cast, delete, func, or_, update
from sqlalchemy import select as sa_select
from sqlmodel import Session, SQLModel, col, select

from app.core.config import get_settings
from app.core.domain_events import PersonErasing, publish
from app.core.errors import Invalid
from app.images.store import remove_images
from app.people.avatars import OWNER_KIND as AVATAR
from app.people.import_batches import forget_in_running_imports
from app.people.models import AuditEntry, LoginAttempt, PeopleImport, User
from app.people.service import record_audit
from app.spaces.access import note_access_change

# What stays where the name was: plain words, never an @handle that someone could take later.
# Stored text has one language, the site's. German: one short gender-inclusive form that fits
# in the middle of a sentence and in an author line alike (the double form "ehemalige Kollegin /
# ehemaliger Kollege" is twice as long and reads badly where it replaces a name mid-sentence).
ERASED_NAMES = {"en": "former colleague", "de": "frühere:r Kolleg:in"}

ContentChoice = Literal["keep", "delete"]


@dataclass(frozen=True, slots=True)
class Erased:
    user_id: int
    content: ContentChoice


def name_terms(user: User) -> list[str]:
    """What a query looks for first (the pattern then decides): the @handle, the full name."""
    name = user.display_name.strip()
    return [f"@{user.handle}", *([name] if len(name) >= 3 else [])]


def name_pattern(*, handle: str, display_name: str) -> re.Pattern[str]:
    """The person's @handle (as a whole mention) or their full display name, in any case."""
    names = [rf"(?<![\w.-])@{re.escape(handle)}(?![\w-])"]
    # A one-letter or two-letter name would eat ordinary words; such names stay.
    if len(display_name.strip()) >= 3:
        names.append(rf"(?<!\w){re.escape(display_name.strip())}(?!\w)")
    return re.compile("|".join(names), re.IGNORECASE)


def erased_name() -> str:
    """The words that replace an erased person's name in stored text, in the site's language."""
    return ERASED_NAMES[get_settings().default_locale]


def without_person(text: str, pattern: re.Pattern[str]) -> str:
    """The text with every mention of the person replaced by "former colleague"."""
    return pattern.sub(erased_name(), text)


def _clip(column: Any, text: str) -> str:
    length = getattr(column.type, "length", None)
    return text[:length] if length else text


def naming(user: User, *columns: Any) -> ColumnElement[bool]:
    """SQL: one of `columns` holds the person's @handle or full name (the pattern decides)."""
    return or_(
        *(
            func.lower(column).contains(term.lower(), autoescape=True)
            for term in name_terms(user)
            for column in columns
        )
    )


def rewrite_columns(session: Session, user: User, *columns: Any) -> list[Any]:
    """The rows of one model where one of `columns` names the person, each such column
    rewritten without the name (cut to the column's length). Returns the rows it changed."""
    model = columns[0].class_
    pattern = name_pattern(handle=user.handle, display_name=user.display_name)
    changed = []
    for row in session.exec(select(model).where(naming(user, *columns))).all():
        before = [getattr(row, column.key) for column in columns]
        for column, value in zip(columns, before, strict=True):
            if value:
                setattr(row, column.key, _clip(column, without_person(value, pattern)))
        if before != [getattr(row, column.key) for column in columns]:
            session.add(row)
            changed.append(row)
    session.flush()
    return changed


def _rewritten_json(value: Any, pattern: re.Pattern[str]) -> Any:
    if isinstance(value, str):
        return without_person(value, pattern)
    if isinstance(value, list):
        return [_rewritten_json(item, pattern) for item in value]
    if isinstance(value, dict):
        return {key: _rewritten_json(item, pattern) for key, item in value.items()}
    return value


def _scrub_table(session: Session, table: Table, user: User, pattern: re.Pattern[str]) -> None:
    keys = list(table.primary_key.columns)
    texts = [c for c in table.columns if isinstance(c.type, String | JSON) and not c.primary_key]
    if not texts or not keys:
        return
    for column in texts:
        as_text = cast(column, String) if isinstance(column.type, JSON) else column
        for row in session.execute(sa_select(*keys, column).where(naming(user, as_text))).all():
            *key, value = row
            if isinstance(column.type, JSON):
                loaded = json.loads(value) if isinstance(value, str) else value
                new: Any = _rewritten_json(loaded, pattern)
            else:
                new = _clip(column, without_person(value, pattern))
            if new != value:
                where = [k == v for k, v in zip(keys, key, strict=True)]
                session.execute(update(table).where(*where).values({column.name: new}))


_NOT_SCRUBBED = frozenset({"users", "search_documents"})


def scrub_every_text_column(session: Session, user: User) -> None:
    """The safety net after every domain did its part: any text column of any table that
    still names the person (a poll option, a flag's reason, a file name, a column added later)
    loses the name. Domains rewrite first where text is rendered or indexed from it (posts'
    HTML, the search index, the protocols' live document), which plain replacement cannot do."""
    pattern = name_pattern(handle=user.handle, display_name=user.display_name)
    for table in SQLModel.metadata.sorted_tables:
        # Other people's own names stay, a namesake's included (the erased row goes anyway);
        # the search domain rebuilt its documents from the rewritten sources already.
        if table.name in _NOT_SCRUBBED:
            continue
        _scrub_table(session, table, user, pattern)
    session.flush()


def _forget_in_imports(session: Session, email: str) -> None:
    """Finished CSV imports list each line's email (with its invitation or problem)."""
    for job in session.exec(
        select(PeopleImport).where(
            cast(PeopleImport.invitations, String).contains(email, autoescape=True)
            | cast(PeopleImport.failures, String).contains(email, autoescape=True)
        )
    ).all():
        job.invitations = [entry for entry in job.invitations if entry[1] != email]
        job.failures = [entry for entry in job.failures if entry[1] != email]
        session.add(job)


def erase_person(
    session: Session, *, user: User, content: ContentChoice, actor: User | None
) -> Erased:
    """Erase an account; `content` says whether what they wrote is deleted or kept anonymous."""
    if content not in ("keep", "delete"):
        raise Invalid("Choose whether their content is kept or deleted", field="content")
    if actor is not None and actor.id == user.id:
        raise Invalid("You cannot erase your own account")
    user_id = user.id
    assert user_id is not None
    publish(session, PersonErasing(user=user, delete_content=content == "delete"))
    scrub_every_text_column(session, user)
    session.execute(
        update(AuditEntry)
        .where(
            or_(
                (col(AuditEntry.target_type) == "user") & (col(AuditEntry.target_id) == user_id),
                col(AuditEntry.detail).contains(user.email, autoescape=True),
            )
        )
        .values(detail="")
    )
    session.exec(delete(LoginAttempt).where(col(LoginAttempt.email) == user.email))
    # Pictures are keyed by owner without a foreign key (app/images/models.py): no cascade.
    remove_images(session, owner_kind=AVATAR, owner_id=user_id)
    _forget_in_imports(session, user.email)
    forget_in_running_imports(session, user.email)
    session.flush()
    session.exec(delete(User).where(col(User.id) == user_id))
    session.expunge(user)
    note_access_change(session)  # open connections (live protocols) close at once
    record_audit(
        session,
        actor=actor,
        action="user.erase",
        target_type="user",
        target_id=user_id,
        detail=f"content={content}",
    )
    session.flush()
    return Erased(user_id=user_id, content=content)
