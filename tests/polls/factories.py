"""Date polls made through the service, so its rules hold for test data too."""

from typing import Any

from sqlmodel import Session

from app.people.models import User
from app.polls.date_input import DatePollInput, SlotInput
from app.polls.dates import create_date_poll
from app.polls.models import DatePoll, DatePollOption
from app.spaces.access import access_for
from app.spaces.models import Space

SLOTS = ("2030-03-05T18:00", "2030-03-06T18:00", "2030-03-07T19:00")


def make_date_poll(
    session: Session, *, host: User, space: Space, title: str = "Team dinner", **kwargs: Any
) -> tuple[DatePoll, list[DatePollOption]]:
    slots = kwargs.pop("slots", SLOTS)
    poll, options = create_date_poll(
        session,
        access=access_for(session, host, space),
        data=DatePollInput(
            title=title,
            timezone=kwargs.pop("timezone", "Europe/Berlin"),
            options=[SlotInput(starts_at=s) for s in slots],
            **kwargs,
        ),
    )
    session.commit()
    return poll, options
