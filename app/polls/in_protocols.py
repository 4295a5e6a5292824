"""Quick polls beside a protocol: a meeting asks the room, and the outcome becomes a decision.

A protocol's polls follow the protocol's visibility (its space's readers see them; writing
members answer), with every rule of quick polls (app/polls/quick.py), anonymity included.
Recording the outcome closes the poll and writes one line under the protocol's "Decisions"
heading, in the live document, as the person who recorded it: nothing names a voter, and an
anonymous poll below MIN_ANONYMOUS answers records that its result is held back.
"""

from datetime import datetime

from sqlalchemy import func, update
from sqlmodel import Session, col, select

from app.core.db import utcnow
from app.core.errors import Conflict, Invalid, NotFound
from app.core.i18n import N_, gettext
from app.people.models import User
from app.polls import quick
from app.polls.models import Poll
from app.protocols.access import protocol_access, require_edit
from app.protocols.editing import add_decision

MAX_PROTOCOL_POLLS = 20
TOO_MANY_POLLS = N_("A protocol can have at most 20 polls")
ALREADY_DECIDED = N_("This poll's outcome is already recorded")


def create_protocol_poll(
    session: Session,
    *,
    user: User,
    protocol_id: int,
    question: str,
    options: list[str],
    multiple: bool = False,
    anonymous: bool = False,
    results_after_close: bool = False,
    closes_at: datetime | None = None,
    now: datetime | None = None,
) -> Poll:
    """Ask a quick question beside a protocol one may edit."""
    protocol, access = protocol_access(session, user, protocol_id)
    require_edit(protocol, access)
    count = session.exec(
        select(func.count()).select_from(Poll).where(Poll.protocol_id == protocol_id)
    ).one()
    if count >= MAX_PROTOCOL_POLLS:
        raise Invalid(TOO_MANY_POLLS, field="question")
    return quick.new_poll(
        session,
        Poll(protocol_id=protocol_id, question=question, multiple=multiple, anonymous=anonymous),
        options=options,
        results_after_close=results_after_close,
        closes_at=closes_at,
        now=now,
    )


def protocol_poll_ids(session: Session, *, user: User, protocol_id: int) -> list[int]:
    """The protocol's polls, oldest first, for someone who may read the protocol (else 404)."""
    protocol_access(session, user, protocol_id)
    return [
        poll_id
        for poll_id in session.exec(
            select(Poll.id)
            .where(Poll.protocol_id == protocol_id)
            .order_by(col(Poll.id))
            .limit(MAX_PROTOCOL_POLLS)
        ).all()
        if poll_id is not None
    ]


def outcome_text(view: quick.PollView) -> str:
    """The decision line: the winning choice(s) and the count, never who chose what."""
    question = view.access.poll.question
    if view.answers == 0:
        return gettext("Poll “%(question)s”: no answers", question=question)
    if view.held_back:
        return gettext(
            "Poll “%(question)s”: %(answers)s anonymous answers, too few to show the result",
            question=question,
            answers=view.answers,
        )
    top = max(result.votes or 0 for result in view.options)
    winners = [result.option.text for result in view.options if (result.votes or 0) == top]
    return gettext(
        "Poll “%(question)s”: %(choice)s (%(votes)s of %(answers)s answers)",
        question=question,
        choice=" / ".join(winners),
        votes=top,
        answers=view.answers,
    )


def record_outcome(
    session: Session, *, user: User, poll_id: int, now: datetime | None = None
) -> None:
    """Close a protocol's poll and write its outcome under the protocol's decisions.

    The live document stores its edit on a connection of its own and commits it at once, so
    this reads first and writes the poll last (the route is `writes_in_steps`)."""
    access = quick.load_poll(session, user=user, poll_id=poll_id)
    poll = access.poll
    if poll.protocol_id is None:
        raise NotFound("Poll not found")
    protocol, space_access = protocol_access(session, user, poll.protocol_id)
    require_edit(protocol, space_access)
    if poll.decided_at is not None:
        raise Conflict(ALREADY_DECIDED)
    view = quick.poll_view(session, user=user, poll_id=poll_id, as_closed=True)
    add_decision(
        session,
        user=user,
        protocol_id=poll.protocol_id,
        decision=outcome_text(view),
        heading=gettext("Decisions"),
    )
    moment = now or utcnow()
    session.execute(
        update(Poll)
        .where(col(Poll.id) == poll_id)
        .values(decided_at=moment, closed_at=func.coalesce(Poll.closed_at, moment))
    )
    session.refresh(poll)
