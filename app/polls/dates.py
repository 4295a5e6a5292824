"""Date polls: propose slots, answer yes / if need be / no, turn the best slot into an event.

Answers from many people at once are serialised on the poll row (the same lock as RSVPs take
on the event row), and each (slot, person) pair is unique, so no answer is lost or counted twice.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import case, func, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Session, col, select

from app.access.spaces import active_members_of
from app.core.db import lock_row, share_row, utcnow
from app.core.domain_events import DatePollDecided, publish
from app.core.errors import Conflict, Forbidden, Invalid
from app.core.i18n import N_
from app.events.access import require_create
from app.events.models import Event, Rsvp, RsvpStatus
from app.events.rsvp import refresh_discussion
from app.events.schemas import EventInput
from app.events.service import create_event
from app.people.models import User
from app.polls.access import DatePollAccess, load_date_poll, require_organiser
from app.polls.date_input import DatePollInput, clean_date_poll
from app.polls.models import DateChoice, DatePoll, DatePollAnswer, DatePollOption
from app.spaces.access import SpaceAccess

# An event needs an end; a slot proposed without one becomes an event of this length.
DEFAULT_LENGTH = timedelta(hours=1)
CLOSED = N_("This poll is closed")
UNKNOWN_OPTION = N_("This date is not part of the poll")
BAD_CHOICE = N_("Answer yes, maybe or no")


@dataclass(frozen=True)
class OptionTally:
    option: DatePollOption
    yes: int
    maybe: int
    no: int


def create_date_poll(
    session: Session, *, access: SpaceAccess, data: DatePollInput, now: datetime | None = None
) -> tuple[DatePoll, list[DatePollOption]]:
    """Propose dates in a space; who may is the space's event setting (members or hosts)."""
    require_create(session, access)
    clean = clean_date_poll(data, now=now)
    poll = DatePoll(
        space_id=access.space.id,  # type: ignore[arg-type]
        created_by_id=access.user.id,
        title=clean.title,
        description=clean.description,
        timezone=clean.timezone,
        closes_at=clean.closes_at,
        created_at=now or utcnow(),
    )
    session.add(poll)
    session.flush()
    options = [
        DatePollOption(poll_id=poll.id, starts_at=starts, ends_at=ends)  # type: ignore[arg-type]
        for starts, ends in sorted(clean.slots, key=lambda s: (s[0], s[1] or s[0]))
    ]
    session.add_all(options)
    session.flush()
    return poll, options


def poll_options(session: Session, poll_id: int) -> list[DatePollOption]:
    return list(
        session.exec(
            select(DatePollOption)
            .where(DatePollOption.poll_id == poll_id)
            .order_by(col(DatePollOption.starts_at), col(DatePollOption.id))
        ).all()
    )


def tallies(session: Session, poll_id: int) -> list[OptionTally]:
    """Each slot with its yes / maybe / no counts, in time order (two queries)."""
    options = poll_options(session, poll_id)
    rows = session.exec(
        select(DatePollAnswer.option_id, DatePollAnswer.choice, func.count())
        .where(DatePollAnswer.poll_id == poll_id)
        .group_by(col(DatePollAnswer.option_id), col(DatePollAnswer.choice))
    ).all()
    found: dict[tuple[int | None, str], int] = {
        (option_id, str(choice)): n for option_id, choice, n in rows
    }
    return [
        OptionTally(
            option=o,
            yes=found.get((o.id, "yes"), 0),
            maybe=found.get((o.id, "maybe"), 0),
            no=found.get((o.id, "no"), 0),
        )
        for o in options
    ]


def best_option_id(counted: list[OptionTally]) -> int | None:
    """Most yes, then most if-need-be, then the earliest; none before anyone said yes or maybe."""
    ranked = [t for t in counted if t.yes or t.maybe]
    if not ranked:
        return None
    best = max(ranked, key=lambda t: (t.yes, t.maybe, -t.option.starts_at.timestamp()))
    return best.option.id


def answers_by_person(session: Session, poll_id: int) -> list[tuple[User, dict[int, str]]]:
    """Who answered what, in the order people first answered (for the space's members)."""
    rows = session.exec(
        select(DatePollAnswer, User)
        .join(User, col(User.id) == DatePollAnswer.user_id)
        .where(DatePollAnswer.poll_id == poll_id)
        .order_by(col(DatePollAnswer.id))
    ).all()
    people: dict[int, tuple[User, dict[int, str]]] = {}
    for answer, person in rows:
        people.setdefault(person.id or 0, (person, {}))[1][answer.option_id] = str(answer.choice)
    return list(people.values())


def my_answers(session: Session, *, poll_id: int, user_id: int) -> dict[int, str]:
    rows = session.exec(
        select(DatePollAnswer).where(
            DatePollAnswer.poll_id == poll_id, DatePollAnswer.user_id == user_id
        )
    ).all()
    return {a.option_id: str(a.choice) for a in rows}


def _checked_answers(answers: Mapping[str, str], option_ids: set[int]) -> dict[int, DateChoice]:
    checked: dict[int, DateChoice] = {}
    for key, choice in answers.items():
        try:
            option_id = int(key)
        except ValueError:
            option_id = -1
        if option_id not in option_ids:
            raise Invalid(UNKNOWN_OPTION, field="answers")
        if choice not in DateChoice.__members__:
            raise Invalid(BAD_CHOICE, field="answers")
        checked[option_id] = DateChoice(choice)
    return checked


def answer_date_poll(
    session: Session,
    *,
    user: User,
    poll_id: int,
    answers: Mapping[str, str],
    now: datetime | None = None,
) -> dict[int, str]:
    """Set the person's answers to the given slots (others stay); returns all their answers.

    Keeping an answer keeps its time, so the order of yes-sayers is the order they first said yes.
    """
    access = load_date_poll(session, user=user, poll_id=poll_id)
    if not access.space.can_write:
        raise Forbidden("Join this space to answer")
    poll = access.poll
    # Answerers share the poll row, so they run side by side; making the event takes it alone,
    # so no answer slips in between reading the yes-sayers and closing the poll.
    share_row(session, poll)
    if not DatePollAccess(poll=poll, space=access.space).is_open:
        raise Invalid(CLOSED, field="answers")
    checked = _checked_answers(answers, {o.id for o in poll_options(session, poll_id)})  # type: ignore[misc]
    if checked:
        _upsert_answers(session, poll_id=poll_id, user_id=user.id, checked=checked, now=now)  # type: ignore[arg-type]
    return my_answers(session, poll_id=poll_id, user_id=user.id)  # type: ignore[arg-type]


def _upsert_answers(
    session: Session,
    *,
    poll_id: int,
    user_id: int,
    checked: dict[int, DateChoice],
    now: datetime | None,
) -> None:
    """One statement: new answers are added, changed ones take the new time, repeated ones keep
    theirs; the (slot, person) key makes two requests of one person meet in one row."""
    table = DatePollAnswer.__table__  # type: ignore[attr-defined]
    maker = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    moment = now or utcnow()
    statement = maker(table).values(
        [
            {
                "poll_id": poll_id,
                "option_id": option_id,
                "user_id": user_id,
                "choice": choice.value,
                "answered_at": moment,
            }
            for option_id, choice in sorted(checked.items())
        ]
    )
    new = statement.excluded
    session.execute(
        statement.on_conflict_do_update(
            index_elements=["option_id", "user_id"],
            set_={
                "choice": new.choice,
                "answered_at": case(
                    (table.c.choice == new.choice, table.c.answered_at), else_=new.answered_at
                ),
            },
        )
    )


def _seat(
    session: Session, *, event: Event, poll_id: int, option_id: int
) -> tuple[list[int], list[int], list[int]]:
    """Everyone who said yes: going up to the capacity, the rest waitlisted in answer order.
    Returns those going, those waitlisted and the if-need-be people (invited). Only those still
    members count: someone who left a private space must not be seated at, or told of, its
    event."""
    day = event.starts_at.astimezone(ZoneInfo(event.timezone)).date()
    rows = session.exec(
        select(DatePollAnswer)
        .where(
            DatePollAnswer.option_id == option_id,
            DatePollAnswer.poll_id == poll_id,
            col(DatePollAnswer.user_id).in_(active_members_of(event.space_id)),
        )
        .order_by(col(DatePollAnswer.answered_at), col(DatePollAnswer.id))
    ).all()
    yes = [a for a in rows if a.choice == DateChoice.yes]
    for place, answer in enumerate(yes):
        going = event.capacity is None or place < event.capacity
        session.add(
            Rsvp(
                event_id=event.id,  # type: ignore[arg-type]
                occurrence_date=day,
                user_id=answer.user_id,
                status=RsvpStatus.going if going else RsvpStatus.waitlisted,
                queued_at=answer.answered_at,
                responded_at=answer.answered_at,
            )
        )
    session.flush()
    capacity = len(yes) if event.capacity is None else event.capacity
    return (
        [a.user_id for a in yes[:capacity]],
        [a.user_id for a in yes[capacity:]],
        [a.user_id for a in rows if a.choice == DateChoice.maybe],
    )


def create_event_from_poll(
    session: Session,
    *,
    user: User,
    poll_id: int,
    option_id: int,
    capacity: int | None = None,
    location: str = "",
    now: datetime | None = None,
) -> Event:
    """Turn one slot into an event of the space and close the poll, linking to the event."""
    access = require_organiser(load_date_poll(session, user=user, poll_id=poll_id))
    require_create(session, access.space)
    poll = access.poll
    lock_row(session, poll, touch="title")
    if poll.event_id is not None:
        raise Conflict("This poll already became an event")
    option = session.get(DatePollOption, option_id)
    if option is None or option.poll_id != poll_id:
        raise Invalid(UNKNOWN_OPTION, field="option_id")
    now = now or utcnow()
    event = create_event(
        session,
        access=access.space,
        data=EventInput(
            title=poll.title,
            description=poll.description,
            starts_at=option.starts_at,
            ends_at=option.ends_at or option.starts_at + DEFAULT_LENGTH,
            timezone=poll.timezone,
            location=location,
            capacity=capacity,
        ),
        now=now,
    )
    going, waitlisted, invited = _seat(session, event=event, poll_id=poll_id, option_id=option_id)
    poll.event_id, poll.closed_at = event.id, now
    session.add(poll)
    refresh_discussion(session, event=event, now=now)
    session.flush()
    publish(
        session,
        DatePollDecided(
            event=event,
            by=user,
            invited=tuple(invited),
            going=tuple(going),
            waitlisted=tuple(waitlisted),
        ),
    )
    return event


def close_due_date_polls(session: Session, *, now: datetime | None = None) -> int:
    """Close the polls whose deadline has come (the jobs runner; idempotent)."""
    now = now or utcnow()
    result = session.exec(
        update(DatePoll)
        .where(col(DatePoll.closed_at).is_(None), col(DatePoll.closes_at) <= now)
        .values(closed_at=DatePoll.closes_at)
    )
    return int(result.rowcount or 0)
