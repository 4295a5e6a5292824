"""An RSVP locks its event while loading it (PostgreSQL): one query, not a load and a lock."""

from sqlalchemy import event as sa_event

from app.db import get_engine
from app.events.rsvp import set_rsvp
from tests.events.factories import make_event, make_people
from tests.factories import make_space, make_user


def _events_statements(call):  # type: ignore[no-untyped-def]
    sent: list[str] = []

    def before(_conn, _cursor, statement, *_args):  # type: ignore[no-untyped-def]
        if "FROM events" in statement or statement.lstrip().startswith("UPDATE events"):
            sent.append(" ".join(statement.split()))

    engine = get_engine()
    sa_event.listen(engine, "before_cursor_execute", before)
    try:
        result = call()
    finally:
        sa_event.remove(engine, "before_cursor_execute", before)
    return result, sent


def test_an_rsvp_reads_its_event_once_and_holds_it_locked(session):
    host = make_user(session)
    (guest,) = make_people(session, 1)
    space = make_space(session, host=host, members=(guest,))
    meetup = make_event(session, host=host, space=space, capacity="2")
    status, sent = _events_statements(
        lambda: set_rsvp(session, user=guest, event_id=meetup.id, status="going")
    )
    assert status == "going"
    if session.get_bind().dialect.name == "postgresql":
        (loaded,) = sent
        assert loaded.endswith("FOR UPDATE OF events")
    else:  # BEGIN IMMEDIATE holds the database; lock_row's no-op UPDATE and reload remain
        assert sum(s.startswith("UPDATE events") for s in sent) == 1
