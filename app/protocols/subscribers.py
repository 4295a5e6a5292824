"""The protocols domain follows an erasure (app/people/erasure.py): the erased person's credits
in the history go. Their edits stay in the shared text, with no name beside them."""

from sqlmodel import Session, col, select

from app.domain_events import PersonErasing, subscriber
from app.protocols.models import ProtocolRevision


@subscriber(PersonErasing)
def person_erasing(session: Session, fact: PersonErasing) -> None:
    erased = str(fact.user.id)
    candidates = session.exec(
        select(ProtocolRevision).where(col(ProtocolRevision.credited_ids).contains(erased))
    ).all()
    for revision in candidates:
        credited = [i for i in revision.credited_ids.split(",") if i and i != erased]
        if len(credited) != len(revision.credited_ids.split(",")):
            revision.credited_ids = ",".join(credited)
            session.add(revision)
