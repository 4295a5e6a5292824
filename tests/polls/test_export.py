"""A person's data export holds their poll answers: named choices, and for anonymous polls only
that they answered; nothing from spaces they can no longer read."""

from sqlmodel import select

from app.my_data.service import export_my_data
from app.polls.dates import answer_date_poll
from app.polls.models import PollOption
from app.polls.quick import create_poll, vote
from app.spaces.models import Membership
from tests.factories import make_post, make_space, make_user
from tests.polls.factories import make_date_poll


def test_the_export_holds_my_answers_and_no_anonymous_choice(session):
    host, me = make_user(session), make_user(session)
    space = make_space(session, host=host, members=(me,), visibility="private")
    date_poll, slots = make_date_poll(session, host=host, space=space)
    answer_date_poll(session, user=me, poll_id=date_poll.id, answers={str(slots[0].id): "maybe"})
    named = create_poll(
        session,
        user=host,
        post_id=make_post(session, author=host, space=space).id,
        question="Named?",
        options=["Tea", "Coffee"],
    )
    secret = create_poll(
        session,
        user=host,
        post_id=make_post(session, author=host, space=space).id,
        question="Secret?",
        options=["Up", "Down"],
        anonymous=True,
    )
    option_ids = session.exec(select(PollOption.id).order_by(PollOption.id)).all()
    vote(session, user=me, poll_id=named.id, option_ids=[option_ids[1]])
    vote(session, user=me, poll_id=secret.id, option_ids=[option_ids[2]])
    session.commit()

    data = export_my_data(session, user=me)
    assert [(a["poll_id"], a["answer"]) for a in data["date_poll_answers"]] == [
        (date_poll.id, "maybe")
    ]
    assert [(v["poll_id"], v["option"]) for v in data["poll_votes"]] == [(named.id, "Coffee")]
    assert data["anonymous_polls_answered"] == [secret.id]
    assert "Up" not in str(data) and "Down" not in str(data)

    # Having left the private space, its polls leave the export too.
    membership = session.exec(select(Membership).where(Membership.user_id == me.id)).one()
    session.delete(membership)
    session.commit()
    data = export_my_data(session, user=me)
    assert data["date_poll_answers"] == data["poll_votes"] == []
    assert data["anonymous_polls_answered"] == []
