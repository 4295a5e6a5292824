"""An RSVP locks its event while loading it (PostgreSQL): one query, not a load and a lock."""

from app.core.db import get_engine
from app.events.rsvp import set_rsvp
from tests.dbutil import statements_sent
from tests.events.factories import make_event, make_people
from tests.factories import make_space, make_user


def test_an_rsvp_reads_its_event_once_and_holds_it_locked(session):
    host = make_user(session)
    (guest,) = make_people(session, 1)
    space = make_space(session, host=host, members=(guest,))
    meetup = make_event(session, host=host, space=space, capacity="2")
    with statements_sent(get_engine()) as statements:
        status = set_rsvp(session, user=guest, event_id=meetup.id, status="going")
    sent = [s for s in statements if "FROM events" in s or s.startswith("UPDATE events")]
    assert status == "going"
    if session.get_bind().dialect.name == "postgresql":
        (loaded,) = sent
        assert loaded.endswith("FOR UPDATE OF events")
    else:  # BEGIN IMMEDIATE holds the database; lock_row's no-op UPDATE and reload remain
        assert sum(s.startswith("UPDATE events") for s in sent) == 1
