"""Date poll answers rushed by more clients than the server has request threads: every answer is
kept once, counts are exact, and one person answering many times at once has one answer a slot."""

from collections import Counter

from sqlmodel import select

from app.polls.models import DatePollAnswer, PollOption
from tests.concurrency.conftest import CLIENTS, Live
from tests.concurrency.test_rush import _people
from tests.polls.factories import make_date_poll


def _poll(live: Live, host: object, space: object) -> tuple[int, list[int]]:
    with live.session() as session:
        poll, options = make_date_poll(session, host=host, space=space)  # type: ignore[arg-type]
        return poll.id, [o.id for o in options]  # type: ignore[return-value]


def test_answers_from_everyone_at_once_are_all_counted_once(live):
    host, members, tokens, space = _people(live)
    poll_id, (first, second, third) = _poll(live, host, space)
    choices = ("yes", "maybe", "no")

    def body(i: int, round_: int) -> dict:
        # Each person answers twice, changing their mind: only the last answer may count.
        return {
            "answers": {
                str(first): choices[(i + round_) % 3],
                str(second): "yes",
                str(third): choices[i % 3],
            }
        }

    answers = live.rush(
        [
            ("PUT", f"/api/v1/date-polls/{poll_id}/answers", tokens[1 + i], body(i, r))
            for i in range(CLIENTS)
            for r in (0, 1)
        ],
        each=2,
    )

    assert Counter(a.status for a in answers) == {200: CLIENTS * 2}
    poll = live.call("GET", f"/api/v1/date-polls/{poll_id}", tokens[0]).body
    counts = {o["id"]: (o["yes"], o["maybe"], o["no"]) for o in poll["options"]}
    expected_first = Counter(choices[(i + 1) % 3] for i in range(CLIENTS))
    expected_third = Counter(choices[i % 3] for i in range(CLIENTS))
    assert counts[first] == tuple(expected_first[c] for c in choices)
    assert counts[second] == (CLIENTS, 0, 0)
    assert counts[third] == tuple(expected_third[c] for c in choices)
    assert poll["best_option_id"] == second
    with live.session() as session:
        rows = session.exec(select(DatePollAnswer).where(DatePollAnswer.poll_id == poll_id)).all()
        assert len(rows) == CLIENTS * 3
        assert len({(r.option_id, r.user_id) for r in rows}) == len(rows)
        assert {r.user_id for r in rows} == {m.id for m in members}


def test_one_person_answering_many_times_at_once_has_one_answer_per_slot(live):
    host, members, tokens, space = _people(live, n=1)
    poll_id, options = _poll(live, host, space)

    live.rush(
        [
            (
                "PUT",
                f"/api/v1/date-polls/{poll_id}/answers",
                tokens[1],
                {"answers": {str(o): "yes" for o in options}},
            )
        ]
        * CLIENTS
    )

    with live.session() as session:
        rows = session.exec(select(DatePollAnswer).where(DatePollAnswer.poll_id == poll_id)).all()
        assert sorted((r.option_id, r.user_id, r.choice) for r in rows) == [
            (o, members[0].id, "yes") for o in sorted(options)
        ]


def test_an_anonymous_poll_counts_everyone_at_once_exactly_once(live):
    from app.polls.quick import create_poll

    host, _members, tokens, space = _people(live)
    with live.session() as session:
        from tests.factories import make_post

        post = make_post(session, author=host, space=space)  # type: ignore[arg-type]
        poll = create_poll(
            session,
            user=host,
            post_id=post.id,
            question="Lunch?",
            options=["a", "b"],
            anonymous=True,
        )
        poll_id = poll.id
        a, b = (
            o.id
            for o in session.exec(
                select(PollOption)
                .where(PollOption.poll_id == poll_id)
                .order_by(PollOption.position)
            ).all()
        )

    # Everyone answers twice at once: the second answer is refused (final), never counted.
    answers = live.rush(
        [
            (
                "PUT",
                f"/api/v1/polls/{poll_id}/vote",
                tokens[1 + i],
                {"option_ids": [a if i % 4 else b]},
            )
            for i in range(CLIENTS)
            for _ in (0, 1)
        ],
        each=2,
    )

    assert Counter(x.status for x in answers) == {200: CLIENTS, 409: CLIENTS}
    poll_out = live.call("GET", f"/api/v1/polls/{poll_id}", tokens[1]).body
    expected_b = len([i for i in range(CLIENTS) if i % 4 == 0])
    assert [o["votes"] for o in poll_out["options"]] == [CLIENTS - expected_b, expected_b]
    assert poll_out["answers"] == CLIENTS
