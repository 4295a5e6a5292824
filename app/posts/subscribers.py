"""The posts domain follows an erasure (app/people/erasure.py); nothing else yet."""

from sqlmodel import Session

from app.core.domain_events import PersonErasing, subscriber
from app.posts.erasure import erase_from_posts


@subscriber(PersonErasing)
def person_erasing(session: Session, fact: PersonErasing) -> None:
    erase_from_posts(session, fact)
