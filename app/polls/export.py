"""A person's poll answers for their data export: what they chose where choices are stored.

Anonymous polls keep no choice, so the export can say only that the person answered.
"""

from typing import Any

from sqlalchemy import func
from sqlmodel import Session, col, select
from sqlmodel.sql.expression import SelectOfScalar

from app.polls.models import (
    DatePoll,
    DatePollAnswer,
    DatePollOption,
    Poll,
    PollBallot,
    PollOption,
    PollVote,
)
from app.posts.models import Post
from app.protocols.models import Protocol

# A quick poll sits in a post or beside a protocol: its space is the one of either.
_poll_space = func.coalesce(col(Post.space_id), col(Protocol.space_id))


def poll_answers_for_export(
    session: Session, *, user_id: int, readable: SelectOfScalar[int]
) -> dict[str, Any]:
    """Answers in spaces the person can still read (`readable`: the space ids), three queries."""
    dated = session.exec(
        select(DatePollAnswer, DatePollOption.starts_at)
        .join(DatePollOption, col(DatePollOption.id) == DatePollAnswer.option_id)
        .join(DatePoll, col(DatePoll.id) == DatePollAnswer.poll_id)
        .where(col(DatePollAnswer.user_id) == user_id, col(DatePoll.space_id).in_(readable))
        .order_by(col(DatePollAnswer.id))
    ).all()
    named = session.exec(
        select(PollVote, PollOption.text)
        .join(PollOption, col(PollOption.id) == PollVote.option_id)
        .join(Poll, col(Poll.id) == PollVote.poll_id)
        .outerjoin(Post, col(Post.id) == Poll.post_id)
        .outerjoin(Protocol, col(Protocol.id) == Poll.protocol_id)
        .where(col(PollVote.user_id) == user_id, _poll_space.in_(readable))
        .order_by(col(PollVote.id))
    ).all()
    anonymous = session.exec(
        select(PollBallot.poll_id)
        .join(Poll, col(Poll.id) == PollBallot.poll_id)
        .outerjoin(Post, col(Post.id) == Poll.post_id)
        .outerjoin(Protocol, col(Protocol.id) == Poll.protocol_id)
        .where(
            col(PollBallot.user_id) == user_id,
            col(Poll.anonymous).is_(True),
            _poll_space.in_(readable),
        )
        .order_by(col(PollBallot.poll_id))
    ).all()
    return {
        "date_poll_answers": [
            {
                "poll_id": a.poll_id,
                "date": starts_at.isoformat(),
                "answer": str(a.choice),
                "answered_at": a.answered_at.isoformat(),
            }
            for a, starts_at in dated
        ],
        "poll_votes": [
            {"poll_id": v.poll_id, "option": text, "voted_at": v.voted_at.isoformat()}
            for v, text in named
        ],
        # No choice is stored for these: only that an answer was given.
        "anonymous_polls_answered": list(anonymous),
    }
