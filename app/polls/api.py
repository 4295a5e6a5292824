"""JSON API for date polls: propose dates in a space, answer, read the counts, make the event.

Slot times go in as wall-clock times in `timezone` (or ISO 8601 with an offset) and come out in
UTC with offset, like the events API.
"""

from typing import Any

from fastapi import APIRouter
from pydantic import AwareDatetime, BaseModel, Field
from sqlmodel import Session

from app.api.deps import ApiUser, PostId
from app.api.schemas import CONFLICT, ApiDateTime, Input
from app.core.ids import Id
from app.core.security import SessionDep
from app.core.transactions import TransactionalRoute
from app.events.access import load_event
from app.events.api import EventOut, _one
from app.events.schemas import MAX_CAPACITY, MAX_DESCRIPTION, MAX_LOCATION, MAX_TITLE
from app.polls import dates, quick
from app.polls.access import DatePollAccess, load_date_poll
from app.polls.date_input import DatePollInput, SlotInput
from app.polls.models import MAX_OPTIONS
from app.spaces.access import space_access_by_slug

router = APIRouter(route_class=TransactionalRoute, tags=["polls"])


def _time(description: str, **kwargs: Any) -> Any:
    return Field(None, strict=True, max_length=40, description=description, **kwargs)


class SlotIn(Input):
    starts_at: str = Field(strict=True, max_length=40, examples=["2030-03-05T18:00"])
    ends_at: str | None = _time("Optional; after starts_at, at most 14 days later")


class DatePollIn(Input):
    title: str = Field(strict=True, max_length=MAX_TITLE)
    description: str | None = Field(None, strict=True, max_length=MAX_DESCRIPTION)
    timezone: str = Field(strict=True, max_length=64, examples=["Europe/Berlin"])
    # Counted by the service, so "no options" and "21 options" answer its own messages.
    options: list[SlotIn] = Field(max_length=MAX_OPTIONS + 1)
    closes_at: str | None = _time("Optional deadline for answers, like starts_at")


class SlotOut(BaseModel):
    id: int
    starts_at: ApiDateTime
    ends_at: ApiDateTime | None
    yes: int
    maybe: int
    no: int


class DatePollOut(BaseModel):
    id: int
    space: str
    title: str
    description: str
    timezone: str
    closes_at: ApiDateTime | None
    closed: bool
    event_id: int | None
    options: list[SlotOut]
    best_option_id: int | None
    my_answers: dict[str, str]
    url: str


class AnswersIn(Input):
    answers: dict[str, str] = Field(
        max_length=MAX_OPTIONS, examples=[{"12": "yes", "13": "maybe", "14": "no"}]
    )


class MakeEventIn(Input):
    option_id: int = Field(strict=True, ge=1)
    capacity: int | None = Field(None, strict=True, ge=0, le=MAX_CAPACITY)
    location: str | None = Field(None, strict=True, max_length=MAX_LOCATION)


def _out(session: Session, access: DatePollAccess) -> DatePollOut:
    poll = access.poll
    counted = dates.tallies(session, poll.id)  # type: ignore[arg-type]
    mine = dates.my_answers(session, poll_id=poll.id, user_id=access.space.user.id)  # type: ignore[arg-type]
    return DatePollOut(
        id=poll.id or 0,
        space=access.space.space.slug,
        title=poll.title,
        description=poll.description,
        timezone=poll.timezone,
        closes_at=poll.closes_at,
        closed=not access.is_open,
        event_id=poll.event_id,
        options=[
            SlotOut(
                id=t.option.id or 0,
                starts_at=t.option.starts_at,
                ends_at=t.option.ends_at,
                yes=t.yes,
                maybe=t.maybe,
                no=t.no,
            )
            for t in counted
        ],
        best_option_id=dates.best_option_id(counted),
        my_answers={str(k): v for k, v in mine.items()},
        url=f"/date-polls/{poll.id}",
    )


@router.post("/spaces/{slug}/date-polls", response_model=DatePollOut, status_code=201)
def create(session: SessionDep, user: ApiUser, slug: str, data: DatePollIn) -> DatePollOut:
    """Propose up to 20 dates; who may is the space's event setting (members or hosts)."""
    access = space_access_by_slug(session, user, slug)
    poll, _options = dates.create_date_poll(
        session,
        access=access,
        data=DatePollInput(
            title=data.title,
            description=data.description or "",
            timezone=data.timezone,
            options=[SlotInput(starts_at=o.starts_at, ends_at=o.ends_at) for o in data.options],
            closes_at=data.closes_at,
        ),
    )
    return _out(session, load_date_poll(session, user=user, poll_id=poll.id))  # type: ignore[arg-type]


@router.get("/date-polls/{poll_id}", response_model=DatePollOut)
def read(session: SessionDep, user: ApiUser, poll_id: Id) -> DatePollOut:
    """The slots with yes / maybe / no counts, the best slot and the caller's own answers."""
    return _out(session, load_date_poll(session, user=user, poll_id=poll_id))


@router.put("/date-polls/{poll_id}/answers", response_model=DatePollOut)
def answer(session: SessionDep, user: ApiUser, poll_id: Id, data: AnswersIn) -> DatePollOut:
    """Answer the given slots yes / maybe / no (other slots keep their answers)."""
    dates.answer_date_poll(session, user=user, poll_id=poll_id, answers=data.answers)
    return _out(session, load_date_poll(session, user=user, poll_id=poll_id))


@router.post(
    "/date-polls/{poll_id}/event", response_model=EventOut, status_code=201, responses=CONFLICT
)
def make_event(session: SessionDep, user: ApiUser, poll_id: Id, data: MakeEventIn) -> EventOut:
    """Turn a slot into an event: yes → going (then waitlisted past the capacity, in answer
    order), if need be → invited; the poll closes and links to the event."""
    event = dates.create_event_from_poll(
        session,
        user=user,
        poll_id=poll_id,
        option_id=data.option_id,
        capacity=data.capacity,
        location=data.location or "",
    )
    return _one(session, load_event(session, user=user, event_id=event.id))  # type: ignore[arg-type]


# --- quick polls in posts -------------------------------------------------------------------


class PollIn(Input):
    question: str = Field(strict=True, max_length=quick.MAX_QUESTION)
    # Counted by the service, so "one option" and "21 options" answer its own messages.
    options: list[str] = Field(max_length=MAX_OPTIONS + 1)
    multiple: bool = Field(False, strict=True)
    anonymous: bool = Field(
        False, strict=True, description="Nobody, admins included, can see who chose what"
    )
    results_after_close: bool = Field(
        False, strict=True, description="Results only once closed (else: after answering)"
    )
    closes_at: AwareDatetime | None = Field(None, description="ISO 8601 with an offset")


class VoteIn(Input):
    option_ids: list[int] = Field(max_length=MAX_OPTIONS)


class PollOptionOut(BaseModel):
    id: int
    text: str
    votes: int | None = Field(description="null while results are not shown")
    voters: list[str] | None = Field(description="Handles; named polls with results shown")


class PollOut(BaseModel):
    id: int
    post_id: int | None = Field(description="The post the poll is in (null beside a protocol)")
    protocol_id: int | None = Field(description="The protocol it decides (null in a post)")
    question: str
    multiple: bool
    anonymous: bool
    results_after_close: bool
    closes_at: ApiDateTime | None
    closed: bool
    answered: bool
    my_choices: list[int]
    answers: int
    results_shown: bool
    options: list[PollOptionOut]


def _poll_out(session: Session, user: ApiUser, poll_id: int) -> PollOut:
    view = quick.poll_view(session, user=user, poll_id=poll_id)
    poll = view.access.poll
    return PollOut(
        id=poll.id or 0,
        post_id=poll.post_id,
        protocol_id=poll.protocol_id,
        question=poll.question,
        multiple=poll.multiple,
        anonymous=poll.anonymous,
        results_after_close=poll.results_after_close,
        closes_at=poll.closes_at,
        closed=not view.access.is_open,
        answered=view.answered,
        my_choices=view.mine,
        answers=view.answers,
        results_shown=view.results_shown and not view.held_back,
        options=[
            PollOptionOut(
                id=r.option.id or 0,
                text=r.option.text,
                votes=r.votes,
                voters=[u.handle for u in r.voters] if r.voters is not None else None,
            )
            for r in view.options
        ],
    )


@router.post("/posts/{id}/poll", response_model=PollOut, status_code=201, responses=CONFLICT)
def add_poll(session: SessionDep, user: ApiUser, post_id: PostId, data: PollIn) -> PollOut:
    """Add a poll to one's own post: 2 to 20 options, single or multiple choice."""
    poll = quick.create_poll(
        session,
        user=user,
        post_id=post_id,
        question=data.question,
        options=data.options,
        multiple=data.multiple,
        anonymous=data.anonymous,
        results_after_close=data.results_after_close,
        closes_at=data.closes_at,
    )
    return _poll_out(session, user, poll.id)  # type: ignore[arg-type]


@router.get("/polls/{poll_id}", response_model=PollOut)
def read_poll(session: SessionDep, user: ApiUser, poll_id: Id) -> PollOut:
    """The poll; counts once the caller may see results (anonymous ones from 5 answers)."""
    return _poll_out(session, user, poll_id)


@router.put("/polls/{poll_id}/vote", response_model=PollOut, responses=CONFLICT)
def vote(session: SessionDep, user: ApiUser, poll_id: Id, data: VoteIn) -> PollOut:
    """Answer; a named answer may change until the poll closes, an anonymous one is final."""
    quick.vote(session, user=user, poll_id=poll_id, option_ids=data.option_ids)
    return _poll_out(session, user, poll_id)
