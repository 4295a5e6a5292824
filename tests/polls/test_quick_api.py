"""Quick polls in posts through the JSON API: named and anonymous, results rules, bad input."""

from datetime import UTC, datetime, timedelta

from sqlmodel import func, select

from app.people.models import User
from app.polls.models import Poll, PollBallot, PollOption, PollVote
from tests.factories import make_post, make_token, make_user
from tests.polls.helpers import api as caller
from tests.polls.helpers import setup_space


def _poll(api, post_id, **overrides):
    body = {"question": "Lunch?", "options": ["Pizza", "Salad", "Soup"], **overrides}
    made = api("POST", f"/posts/{post_id}/poll", json=body)
    assert made.status_code == 201, made.text
    return made.json()


def _world(session, client, visibility="public", members=6):
    space, api, host, _people = setup_space(session, client, visibility=visibility, members=members)
    post = make_post(session, author=host, space=space)
    return space, api, post


def test_a_named_poll_shows_results_after_answering_and_answers_change(client, session):
    _space, api, post = _world(session, client)
    poll = _poll(api["host"], post.id)
    pizza, salad, _soup = (o["id"] for o in poll["options"])
    assert [o["votes"] for o in poll["options"]] == [None, None, None]

    first = api["m0"]("PUT", f"/polls/{poll['id']}/vote", json={"option_ids": [pizza]})
    assert first.status_code == 200, first.text
    assert first.json()["my_choices"] == [pizza]
    assert [o["votes"] for o in first.json()["options"]] == [1, 0, 0]
    assert first.json()["options"][0]["voters"]
    # Not answered yet: no results for m1.
    assert api["m1"]("GET", f"/polls/{poll['id']}").json()["options"][0]["votes"] is None

    changed = api["m0"]("PUT", f"/polls/{poll['id']}/vote", json={"option_ids": [salad]})
    assert [o["votes"] for o in changed.json()["options"]] == [0, 1, 0]
    assert session.exec(select(func.count()).select_from(PollVote)).one() == 1
    assert session.exec(select(func.count()).select_from(PollBallot)).one() == 1


def test_multiple_choice_and_bad_votes(client, session):
    _space, api, post = _world(session, client)
    single = _poll(api["host"], post.id)
    ids = [o["id"] for o in single["options"]]
    url = f"/polls/{single['id']}/vote"
    for bad in ([], ids[:2], [ids[0], ids[0]], [999999]):
        assert api["m0"]("PUT", url, json={"option_ids": bad}).status_code == 422, bad
    other = make_post(session, author=session.get(User, post.author_id), space=_space)
    several = _poll(api["host"], other.id, multiple=True)
    ids = [o["id"] for o in several["options"]]
    done = api["m0"]("PUT", f"/polls/{several['id']}/vote", json={"option_ids": ids[:2]})
    assert done.status_code == 200
    assert done.json()["my_choices"] == ids[:2]


def test_an_anonymous_poll_never_names_a_voter_and_shows_counts_from_five(client, session):
    _space, api, post = _world(session, client)
    poll = _poll(api["host"], post.id, anonymous=True)
    pizza = poll["options"][0]["id"]
    url = f"/polls/{poll['id']}/vote"
    for n in range(4):
        answer = api[f"m{n}"]("PUT", url, json={"option_ids": [pizza]})
        assert answer.status_code == 200
        assert answer.json()["options"][0]["votes"] is None  # fewer than five answers
        assert answer.json()["my_choices"] == []
    fifth = api["m4"]("PUT", url, json={"option_ids": [pizza]}).json()
    assert [o["votes"] for o in fifth["options"]] == [5, 0, 0]
    assert all(o["voters"] is None for o in fifth["options"])
    # Final: an anonymous answer cannot be taken back or given twice.
    assert api["m0"]("PUT", url, json={"option_ids": [pizza]}).status_code == 409
    # Nothing stored links a person to a choice: votes hold no rows, ballots no option.
    assert session.exec(select(func.count()).select_from(PollVote)).one() == 0
    assert "option_id" not in PollBallot.model_fields
    counts = select(PollOption.anonymous_count).order_by(PollOption.position)
    assert session.exec(counts).all() == [5, 0, 0]
    # Not even an admin reading the poll sees who chose what.
    admin = caller(client, make_token(session, user=make_user(session, admin=True)))
    seen = admin("GET", f"/polls/{poll['id']}")
    assert seen.status_code == 200
    assert all(o["voters"] is None for o in seen.json()["options"])


def test_results_after_closing_and_voting_after_closing(client, session):
    _space, api, post = _world(session, client)
    closes = (datetime.now(UTC) + timedelta(hours=1)).isoformat()
    poll = _poll(api["host"], post.id, results_after_close=True, closes_at=closes)
    pizza = poll["options"][0]["id"]
    url = f"/polls/{poll['id']}/vote"
    answered = api["m0"]("PUT", url, json={"option_ids": [pizza]}).json()
    assert answered["options"][0]["votes"] is None
    stored = session.get(Poll, poll["id"])
    stored.closes_at = datetime.now(UTC) - timedelta(seconds=1)
    session.add(stored)
    session.commit()
    assert api["m1"]("PUT", url, json={"option_ids": [pizza]}).status_code == 422
    after = api["m1"]("GET", f"/polls/{poll['id']}").json()
    assert after["closed"] is True
    assert [o["votes"] for o in after["options"]] == [1, 0, 0]


def test_bad_polls_answer_422_and_write_nothing(client, session):
    _space, api, post = _world(session, client)
    url = f"/posts/{post.id}/poll"
    past = (datetime.now(UTC) - timedelta(hours=1)).isoformat()
    cases = [
        {"question": "Q", "options": []},
        {"question": "Q", "options": ["only one"]},
        {"question": "Q", "options": [f"o{n}" for n in range(21)]},
        {"question": "Q", "options": ["Same", "same"]},
        {"question": "Q", "options": ["a", " "]},
        {"question": " ", "options": ["a", "b"]},
        {"question": "Q", "options": ["a", "b"], "closes_at": past},
        {"question": "Q", "options": ["a", "b"], "closes_at": "2030-01-01T10:00"},  # no offset
        {"question": "Q", "options": ["a", "b"], "results_after_close": True},
    ]
    for body in cases:
        assert api["host"]("POST", url, json=body).status_code == 422, body
    assert session.exec(select(func.count()).select_from(Poll)).one() == 0
    assert session.exec(select(func.count()).select_from(PollOption)).one() == 0
    # Only the author adds a poll, and only one.
    assert api["m0"]("POST", url, json={"question": "Q", "options": ["a", "b"]}).status_code == 403
    _poll(api["host"], post.id)
    again = api["host"]("POST", url, json={"question": "Q", "options": ["a", "b"]})
    assert again.status_code == 409


def test_a_poll_in_a_private_space_is_invisible_to_outsiders(client, session):
    _space, api, post = _world(session, client, visibility="private")
    poll = _poll(api["host"], post.id, question="Secret lunch?")
    pizza = poll["options"][0]["id"]
    admin = caller(client, make_token(session, user=make_user(session, admin=True)))
    for who in (api["outsider"], admin):
        answers = [
            who("GET", f"/polls/{poll['id']}"),
            who("PUT", f"/polls/{poll['id']}/vote", json={"option_ids": [pizza]}),
            who("POST", f"/posts/{post.id}/poll", json={"question": "Q", "options": ["a", "b"]}),
        ]
        assert [a.status_code for a in answers] == [404, 404, 404]
        assert all("Secret lunch" not in a.text for a in answers)
    assert session.exec(select(func.count()).select_from(PollBallot)).one() == 0


def test_the_job_closes_polls_at_their_time(client, session):
    from app.jobs import run_jobs_once

    _space, api, post = _world(session, client)
    closes = (datetime.now(UTC) + timedelta(hours=1)).isoformat()
    poll = _poll(api["host"], post.id, closes_at=closes)
    stored = session.get(Poll, poll["id"])
    deadline = datetime.now(UTC) - timedelta(seconds=1)
    stored.closes_at = deadline
    session.add(stored)
    session.commit()
    assert run_jobs_once(["close_due_polls"]) == {"close_due_polls": 1}
    session.expire_all()
    assert session.get(Poll, poll["id"]).closed_at == deadline
