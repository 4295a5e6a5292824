"""The events domain follows an erasure (app/people/erasure.py): titles, descriptions (with
their HTML rendered again, so no mention link is left) and places that name the person are
rewritten without the name, in events and their occurrences. (Date polls hold plain text:
the safety net of app/people/erasure.py rewrites them.)"""

from sqlmodel import Session

from app.core.domain_events import PersonErasing, subscriber
from app.events.models import Event, EventOccurrence
from app.events.service import render_description
from app.people.erasure import rewrite_columns


@subscriber(PersonErasing)
def person_erasing(session: Session, fact: PersonErasing) -> None:
    person = fact.user
    for event in rewrite_columns(session, person, Event.title, Event.description, Event.location):
        event.description_html = render_description(session, event.description)
        session.add(event)
    rewrite_columns(session, person, EventOccurrence.location)
    session.flush()
