"""The spaces domain follows an erasure (app/people/erasure.py): a space's name or description
that names the person is rewritten without the name (before search rebuilds its document)."""

from sqlmodel import Session

from app.core.domain_events import PersonErasing, subscriber
from app.people.erasure import rewrite_columns
from app.spaces.models import Space


@subscriber(PersonErasing)
def person_erasing(session: Session, fact: PersonErasing) -> None:
    rewrite_columns(session, fact.user, Space.name, Space.description)
