"""When a date poll is decided, the people it seats or invites are emailed the chosen date as a
calendar file (their event emails come right away by default)."""

from sqlmodel import select

from app.mail.outbox import deliver_outbox
from app.mail.preferences import update_choices
from app.notifications.models import Notification
from app.polls.dates import answer_date_poll, create_event_from_poll
from tests.factories import make_space, make_user
from tests.mail.conftest import text_part
from tests.polls.factories import make_date_poll


def _calendar(message) -> str:
    [attachment] = list(message.iter_attachments())
    assert attachment.get_content_type() == "text/calendar"
    return str(attachment.get_content())


def test_the_decided_date_reaches_yes_sayers_and_maybes_with_its_ics(session, inbox):
    host = make_user(session, name="Hana")
    yes, full, maybe, no, quiet = (make_user(session) for _ in range(5))
    space = make_space(session, host=host, members=(yes, full, maybe, no, quiet))
    poll, options = make_date_poll(session, host=host, space=space, title="Team dinner")
    chosen = options[1]
    for person, choice in ((yes, "yes"), (full, "yes"), (maybe, "maybe"), (no, "no")):
        answer_date_poll(session, user=person, poll_id=poll.id, answers={str(chosen.id): choice})
    update_choices(session, user_id=quiet.id, email={"event": "off"})
    answer_date_poll(session, user=quiet, poll_id=poll.id, answers={str(chosen.id): "maybe"})
    session.commit()

    create_event_from_poll(session, user=host, poll_id=poll.id, option_id=chosen.id, capacity=1)
    session.commit()
    deliver_outbox(session)

    [going] = inbox.to(yes.email)
    assert "“Team dinner” is set: you are going" in going["Subject"]
    ics = _calendar(going)
    assert "BEGIN:VEVENT" in ics and "Team dinner" in ics
    assert "DTSTART" in ics and "20300306T" in ics  # the chosen slot, not another one
    [waiting] = inbox.to(full.email)
    assert "waiting list" in text_part(waiting)
    assert "20300306T" in _calendar(waiting)
    [invited] = inbox.to(maybe.email)
    assert "if need be" in text_part(invited)
    assert "20300306T" in _calendar(invited)
    assert inbox.to(no.email) == []
    assert inbox.to(quiet.email) == []  # chose no event emails: told on the page only
    assert inbox.to(host.email) == []  # the organiser decided it
    kinds = session.exec(select(Notification.kind).where(Notification.user_id == quiet.id)).all()
    assert kinds == ["date_poll_invited"]
