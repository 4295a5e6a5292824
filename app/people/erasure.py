"""Erasure on request (GDPR Art. 17): the account goes, the person's name with it.

Order matters. The fact `PersonErasing` is published while the row still exists, so each domain
can find what belongs to the person (their posts, the mentions of their @handle, their credits)
and delete it or rewrite it without the name. Then the row is deleted: the foreign keys do the
rest — content the person wrote keeps its place with no author ("Former member"), and what only
made sense with the person (memberships, reactions, RSVPs, kudos, badges, poll answers,
notifications, sessions, tokens, invitations, the sign-in link) goes with the row.

The audit log keeps the act, not the data: the entry names the account by its number only, and
earlier entries about the person lose their details (which could hold an email or a group).
"""

import re
from dataclasses import dataclass
from typing import Literal

from sqlalchemy import String, cast, delete, or_, update
from sqlmodel import Session, col, select

from app.domain_events import PersonErasing, publish
from app.errors import Invalid
from app.images.store import remove_images
from app.people.avatars import OWNER_KIND as AVATAR
from app.people.models import AuditEntry, LoginAttempt, PeopleImport, User
from app.people.service import record_audit
from app.spaces.access import note_access_change

# What stays where the name was: plain words, never an @handle that someone could take later.
ERASED_NAME = "former member"

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


def without_person(text: str, pattern: re.Pattern[str]) -> str:
    """The text with every mention of the person replaced by "former member"."""
    return pattern.sub(ERASED_NAME, text)


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
