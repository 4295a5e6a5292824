"""The protocols domain follows an erasure (app/people/erasure.py): see app/protocols/erasure.py."""

from sqlmodel import Session

from app.core.domain_events import PersonErasing, subscriber
from app.protocols.erasure import erase_from_protocols


@subscriber(PersonErasing)
def person_erasing(session: Session, fact: PersonErasing) -> None:
    erase_from_protocols(session, fact)
