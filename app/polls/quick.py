"""Quick polls in posts: single or multiple choice, named or anonymous, results when allowed.

An anonymous poll stores a ballot (that someone answered, so nobody answers twice) and a count
per option, and nothing that links a person to a choice; so an anonymous answer cannot be
changed (there is nothing to take back), and its results show only from MIN_ANONYMOUS answers,
so nobody can be singled out (the rule of the health page). Named answers change until closing.
"""

from dataclasses import dataclass
from datetime import datetime
from functools import cache
from typing import Any

from sqlalchemy import Integer, bindparam, delete, func, update
from sqlmodel import Session, col, select

from app.core.db import lock_row, utcnow
from app.core.domain_events import PollAnswered, publish
from app.core.errors import Conflict, Forbidden, Invalid, NotFound
from app.core.i18n import N_
from app.core.rows import read
from app.core.text import text_problem
from app.events.schemas import OUT_OF_WINDOW, in_window
from app.people.models import User
from app.polls.models import MAX_OPTIONS, Poll, PollBallot, PollOption, PollVote
from app.posts.service import load_post
from app.protocols.access import protocol_access
from app.spaces.access import SpaceAccess

MIN_ANONYMOUS = 5
MAX_QUESTION = 300
MAX_OPTION = 200
POLL_CLOSED = N_("This poll is closed")
TOO_FEW = N_("Give at least two options")
TOO_MANY = N_("Give at most 20 options")
SAME_OPTION = N_("Two options say the same")
EMPTY_OPTION = N_("An option cannot be empty")
OPTION_TOO_LONG = N_("An option can have at most 200 characters")
NO_QUESTION = N_("Ask a question")
QUESTION_TOO_LONG = N_("The question can have at most 300 characters")
PICK_ONE = N_("Choose one option")
PICK_SOME = N_("Choose at least one option")
NOT_AN_OPTION = N_("This option is not part of the poll")
ANONYMOUS_FINAL = N_("An anonymous answer cannot be changed")
CLOSES_IN_PAST = N_("The closing time must be in the future")


@dataclass(frozen=True)
class PollAccess:
    poll: Poll
    space: SpaceAccess
    post_author_id: int | None

    @property
    def is_open(self) -> bool:
        closes = self.poll.closes_at
        return self.poll.closed_at is None and (closes is None or closes > utcnow())


@dataclass(frozen=True)
class OptionResult:
    option: PollOption
    votes: int | None  # None while results are not shown
    voters: list[User] | None  # named polls only, when results are shown


@dataclass(frozen=True)
class PollView:
    access: PollAccess
    answered: bool
    mine: list[int]  # named polls: the person's choices; anonymous: never known
    answers: int
    results_shown: bool
    # Anonymous polls below MIN_ANONYMOUS answers keep their results back even when shown.
    held_back: bool
    options: list[OptionResult]


def _check_text(text: str, *, field: str, limit: int, empty: str, long: str) -> None:
    if not text:
        raise Invalid(empty, field=field)
    if len(text) > limit:
        raise Invalid(long, field=field)
    problem = text_problem(text)
    if problem:
        raise Invalid(problem, field=field)


def _checked_options(options: list[str]) -> list[str]:
    texts = [text.strip() for text in options]
    if len(texts) < 2:
        raise Invalid(TOO_FEW, field="options")
    if len(texts) > MAX_OPTIONS:
        raise Invalid(TOO_MANY, field="options")
    for text in texts:
        _check_text(
            text, field="options", limit=MAX_OPTION, empty=EMPTY_OPTION, long=OPTION_TOO_LONG
        )
    if len({t.casefold() for t in texts}) != len(texts):
        raise Invalid(SAME_OPTION, field="options")
    return texts


def create_poll(
    session: Session,
    *,
    user: User,
    post_id: int,
    question: str,
    options: list[str],
    multiple: bool = False,
    anonymous: bool = False,
    results_after_close: bool = False,
    closes_at: datetime | None = None,
    now: datetime | None = None,
) -> Poll:
    """Add a poll to one's own post (one per post)."""
    post, access = load_post(session, user=user, post_id=post_id)
    if post.author_id != user.id or not access.can_write:
        raise Forbidden("Only the post's author may add a poll")
    if poll_id_of_post(session, post_id) is not None:
        raise Conflict("This post already has a poll")
    return new_poll(
        session,
        Poll(post_id=post_id, question=question, multiple=multiple, anonymous=anonymous),
        options=options,
        results_after_close=results_after_close,
        closes_at=closes_at,
        now=now,
    )


def new_poll(
    session: Session,
    poll: Poll,
    *,
    options: list[str],
    results_after_close: bool,
    closes_at: datetime | None,
    now: datetime | None,
) -> Poll:
    """Check and store a poll whose place (post or protocol) the caller checked."""
    question = poll.question.strip()
    _check_text(
        question, field="question", limit=MAX_QUESTION, empty=NO_QUESTION, long=QUESTION_TOO_LONG
    )
    texts = _checked_options(options)
    if closes_at is not None and not in_window(closes_at):
        raise Invalid(OUT_OF_WINDOW, field="closes_at")
    if closes_at is not None and closes_at <= (now or utcnow()):
        raise Invalid(CLOSES_IN_PAST, field="closes_at")
    if results_after_close and closes_at is None:
        raise Invalid(N_("Results after closing need a closing time"), field="closes_at")
    poll.question = question
    poll.results_after_close = results_after_close
    poll.closes_at = closes_at
    poll.created_at = now or utcnow()
    session.add(poll)
    session.flush()
    session.add_all(
        PollOption(poll_id=poll.id, position=n, text=text)  # type: ignore[arg-type]
        for n, text in enumerate(texts)
    )
    session.flush()
    return poll


def load_poll(session: Session, *, user: User, poll_id: int) -> PollAccess:
    """A poll whose post (or protocol) the person may read, by the post's (the protocol's) own
    rules; 404 otherwise."""
    poll = session.get(Poll, poll_id)
    if poll is None:
        raise NotFound("Poll not found")
    try:
        if poll.protocol_id is not None:
            _protocol, access = protocol_access(session, user, poll.protocol_id)
            return PollAccess(poll=poll, space=access, post_author_id=None)
        post, access = load_post(session, user=user, post_id=poll.post_id or 0)
    except NotFound:
        raise NotFound("Poll not found") from None
    return PollAccess(poll=poll, space=access, post_author_id=post.author_id)


def _options(session: Session, poll_id: int) -> list[PollOption]:
    return list(
        session.exec(
            select(PollOption)
            .where(PollOption.poll_id == poll_id)
            .order_by(col(PollOption.position))
        ).all()
    )


def vote(
    session: Session,
    *,
    user: User,
    poll_id: int,
    option_ids: list[int],
    now: datetime | None = None,
) -> None:
    """Answer a poll: named answers replace the earlier ones; an anonymous answer is final."""
    access = load_poll(session, user=user, poll_id=poll_id)
    if not access.space.can_write:
        raise Forbidden("Join this space to answer")
    poll = access.poll
    lock_row(session, poll, touch="question")
    if not PollAccess(poll=poll, space=access.space, post_author_id=None).is_open:
        raise Invalid(POLL_CLOSED, field="option_ids")
    chosen = set(option_ids)
    if not chosen:
        raise Invalid(PICK_SOME, field="option_ids")
    if len(chosen) != len(option_ids) or (not poll.multiple and len(chosen) != 1):
        raise Invalid(PICK_ONE if not poll.multiple else PICK_SOME, field="option_ids")
    if not chosen <= {o.id for o in _options(session, poll_id)}:
        raise Invalid(NOT_AN_OPTION, field="option_ids")
    ballot = session.exec(
        select(PollBallot).where(PollBallot.poll_id == poll_id, PollBallot.user_id == user.id)
    ).first()
    if poll.anonymous:
        if ballot is not None:
            raise Conflict(ANONYMOUS_FINAL)
        session.add(PollBallot(poll_id=poll_id, user_id=user.id))  # type: ignore[arg-type]
        session.exec(
            update(PollOption)
            .where(col(PollOption.id).in_(chosen))
            .values(anonymous_count=PollOption.anonymous_count + 1)
        )
        session.flush()
        publish(session, PollAnswered(poll_id=poll_id))
        return
    if ballot is None:
        session.add(PollBallot(poll_id=poll_id, user_id=user.id))  # type: ignore[arg-type]
    session.exec(
        delete(PollVote).where(col(PollVote.poll_id) == poll_id, col(PollVote.user_id) == user.id)
    )
    session.add_all(
        PollVote(poll_id=poll_id, option_id=o, user_id=user.id, voted_at=now or utcnow())  # type: ignore[arg-type]
        for o in sorted(chosen)
    )
    session.flush()
    publish(session, PollAnswered(poll_id=poll_id))


def poll_view(session: Session, *, user: User, poll_id: int, as_closed: bool = False) -> PollView:
    """What this person may see of a poll: results after answering or closing, as chosen
    (`as_closed`: as everyone will see it once closed, for the outcome of a decision)."""
    access = load_poll(session, user=user, poll_id=poll_id)
    poll = access.poll
    options = _options(session, poll_id)
    answers = session.exec(
        select(func.count()).select_from(PollBallot).where(PollBallot.poll_id == poll_id)
    ).one()
    answered = (
        session.exec(
            select(PollBallot.id).where(
                PollBallot.poll_id == poll_id, PollBallot.user_id == user.id
            )
        ).first()
        is not None
    )
    closed = as_closed or not access.is_open
    shown = closed or (answered and not poll.results_after_close)
    held_back = poll.anonymous and answers < MIN_ANONYMOUS
    mine: list[int] = []
    voters: dict[int, list[User]] = {o.id: [] for o in options}  # type: ignore[misc]
    if not poll.anonymous:
        rows = session.exec(
            select(PollVote.option_id, User)
            .join(User, col(User.id) == PollVote.user_id)
            .where(PollVote.poll_id == poll_id)
            .order_by(col(PollVote.id))
        ).all()
        for option_id, person in rows:
            voters[option_id].append(person)
            if person.id == user.id:
                mine.append(option_id)
    results = []
    for option in options:
        count = option.anonymous_count if poll.anonymous else len(voters[option.id])  # type: ignore[index]
        visible = shown and not held_back
        results.append(
            OptionResult(
                option=option,
                votes=count if visible else None,
                voters=voters[option.id] if visible and not poll.anonymous else None,  # type: ignore[index]
            )
        )
    return PollView(
        access=access,
        answered=answered,
        mine=mine,
        answers=answers,
        results_shown=shown,
        held_back=held_back,
        options=results,
    )


def close_due_polls(session: Session, *, now: datetime | None = None) -> int:
    """Close the quick polls whose closing time has come (the jobs runner; idempotent)."""
    result = session.exec(
        update(Poll)
        .where(col(Poll.closed_at).is_(None), col(Poll.closes_at) <= (now or utcnow()))
        .values(closed_at=Poll.closes_at)
    )
    return int(result.rowcount or 0)


@cache
def _poll_of_post_statement() -> Any:
    return select(Poll.id).where(Poll.post_id == bindparam("post_id", type_=Integer)).limit(1)


def poll_id_of_post(session: Session, post_id: int) -> int | None:
    """The post page's one question about polls (the poll itself loads in its own request):
    a statement built once, read as a row (app.core.rows), on every post page."""
    found = read(session, _poll_of_post_statement(), {"post_id": post_id})
    return found[0][0] if found else None
