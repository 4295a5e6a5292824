"""Quick polls beside a protocol: asked by its editors, shown beside it to its readers only,
answered by the space's members, and recorded as a decision in the live document."""

import pytest
from sqlmodel import func, select

from app.polls.in_protocols import create_protocol_poll, record_outcome
from app.polls.models import Poll, PollBallot, PollVote
from app.polls.quick import vote
from app.protocols.actions import decision_edit, parse_decisions
from app.protocols.models import Protocol
from app.protocols.rooms import read_text
from tests.factories import make_space, make_token, make_user

TEXT = "# Weekly\n\n## Agenda\n\n- Budget\n\n## Decisions\n\n- Keep Friday demos\n\n## Notes\n"


def _world(session, make_protocol, voters=3, visibility="private"):
    host = make_user(session, name="Hanna Host")
    people = [make_user(session, name=f"Voter {n}") for n in range(voters)]
    space = make_space(session, host=host, members=tuple(people), visibility=visibility)
    protocol = make_protocol(host, space, text=TEXT)
    return host, people, space, protocol


def _options(session, poll):
    from app.polls.models import PollOption

    return session.exec(
        select(PollOption).where(PollOption.poll_id == poll.id).order_by(PollOption.position)
    ).all()


def test_decision_edit_adds_under_the_heading_or_a_new_section() -> None:
    [(at, _end, line)] = decision_edit(TEXT, "Budget: yes", heading="Decisions")
    changed = TEXT[:at] + line + TEXT[at:]
    assert parse_decisions(changed) == ["Keep Friday demos", "Budget: yes"]
    assert changed.index("Budget: yes") < changed.index("## Notes")
    [(at, _end, line)] = decision_edit("# Minutes", "Go", heading="Beschlüsse")
    assert "# Minutes" + line == "# Minutes\n\n## Beschlüsse\n\n- Go\n"
    assert parse_decisions("# Minutes" + line) == ["Go"]
    [(at, _end, line)] = decision_edit("", "Go", heading="Decisions")
    assert line == "## Decisions\n\n- Go\n"


def test_an_editor_asks_the_members_answer_and_the_outcome_becomes_a_decision(
    session, login, make_protocol
) -> None:
    host, people, _space, protocol = _world(session, make_protocol)
    client = login(host)
    page = client.get(f"/protocols/{protocol.id}")
    assert f'hx-get="/protocols/{protocol.id}/polls"' in page.text
    composer = client.get(f"/protocols/{protocol.id}/polls/new")
    assert composer.status_code == 200
    assert "the readers of this protocol see who chose what" in composer.text
    made = client.form(
        f"/protocols/{protocol.id}/polls",
        {"question": "Budget approved?", "options": "Yes\nNo\n", "anonymous": "0"},
    )
    assert made.status_code == 303 and made.headers["location"] == f"/protocols/{protocol.id}"
    poll = session.exec(select(Poll)).one()
    assert (poll.protocol_id, poll.post_id) == (protocol.id, None)
    yes, no = _options(session, poll)

    listed = client.htmx("GET", f"/protocols/{protocol.id}/polls", target="protocol-polls")
    assert listed.status_code == 200 and "<html" not in listed.text
    assert f'id="quick-poll-{poll.id}"' in listed.text and "Budget approved?" in listed.text

    for person, option in zip(people, (yes, yes, no), strict=True):
        voter = login(person)
        answered = voter.htmx(
            "POST",
            f"/polls/{poll.id}/vote",
            target=f"quick-poll-{poll.id}",
            data={"option_ids": str(option.id)},
        )
        assert answered.status_code == 200
        assert f'id="quick-poll-{poll.id}"' in answered.text
    plain = login(people[0]).form(f"/polls/{poll.id}/vote", {"option_ids": str(no.id)})
    assert plain.headers["location"] == f"/protocols/{protocol.id}"
    login(people[0]).form(f"/polls/{poll.id}/vote", {"option_ids": str(yes.id)})

    assert "Close and record as a decision" in client.get(f"/polls/{poll.id}").text
    decided = client.form(f"/polls/{poll.id}/decision")
    assert decided.status_code == 303, decided.text
    assert decided.headers["location"].startswith(f"/protocols/{protocol.id}")
    text, _seq = read_text(protocol.id)
    decisions = parse_decisions(text)
    assert decisions == ["Keep Friday demos", "Poll “Budget approved?”: Yes (2 of 3 answers)"]
    session.expire_all()
    stored = session.get(Protocol, protocol.id)
    assert stored is not None and "Budget approved?" in stored.text
    shown = client.get(f"/protocols/{protocol.id}")
    assert "Poll “Budget approved?”: Yes (2 of 3 answers)" in shown.text
    poll = session.get(Poll, poll.id)
    assert poll is not None and poll.closed_at is not None and poll.decided_at is not None
    assert "Recorded as a decision" in client.get(f"/polls/{poll.id}").text
    assert client.form(f"/polls/{poll.id}/decision").status_code == 409
    late = login(people[1]).form(f"/polls/{poll.id}/vote", {"option_ids": str(no.id)})
    assert late.status_code == 422
    assert parse_decisions(read_text(protocol.id)[0]).count(decisions[-1]) == 1


def test_the_protocols_polls_follow_its_visibility(session, login, make_protocol) -> None:
    host, people, _space, protocol = _world(session, make_protocol, voters=1)
    poll = create_protocol_poll(
        session, user=host, protocol_id=protocol.id, question="Secret?", options=["A", "B"]
    )
    session.commit()
    outsider = make_user(session, name="Olga Outsider")
    admin = make_user(session, name="Ada Admin", admin=True)
    for person in (outsider,):
        client = login(person)
        for path in (
            f"/protocols/{protocol.id}/polls",
            f"/protocols/{protocol.id}/polls/new",
            f"/polls/{poll.id}",
        ):
            assert client.get(path).status_code == 404, path
        for path, data in (
            (f"/protocols/{protocol.id}/polls", {"question": "Q", "options": "a\nb"}),
            (f"/polls/{poll.id}/vote", {"option_ids": "1"}),
            (f"/polls/{poll.id}/decision", {}),
        ):
            assert client.form(path, data).status_code == 404, path
        token = make_token(session, user=person)
        api = client.get(f"/api/v1/polls/{poll.id}", headers={"Authorization": f"Bearer {token}"})
        assert api.status_code == 404
    assert "Secret?" not in login(outsider).get("/search?q=Secret").text
    member = login(people[0])
    assert member.get(f"/polls/{poll.id}").status_code == 200
    token = make_token(session, user=people[0])
    api = member.get(f"/api/v1/polls/{poll.id}", headers={"Authorization": f"Bearer {token}"})
    assert api.status_code == 200
    assert (api.json()["protocol_id"], api.json()["post_id"]) == (protocol.id, None)
    # An admin sees the poll exactly when they see the protocol (the same rule).
    as_admin = login(admin)
    assert (
        as_admin.get(f"/polls/{poll.id}").status_code
        == as_admin.get(f"/protocols/{protocol.id}").status_code
    )


def test_readers_who_cannot_edit_neither_ask_nor_decide(session, login, make_protocol) -> None:
    host, _people, _space, protocol = _world(session, make_protocol, voters=0, visibility="public")
    poll = create_protocol_poll(
        session, user=host, protocol_id=protocol.id, question="Q?", options=["A", "B"]
    )
    session.commit()
    reader = login(make_user(session, name="Rita Reader"))
    assert reader.get(f"/protocols/{protocol.id}/polls").status_code == 200
    assert reader.get(f"/protocols/{protocol.id}/polls/new").status_code == 403
    made = reader.form(f"/protocols/{protocol.id}/polls", {"question": "Q", "options": "a\nb"})
    assert made.status_code == 403
    assert reader.form(f"/polls/{poll.id}/decision").status_code == 403
    assert "record as a decision" not in reader.get(f"/polls/{poll.id}").text
    assert session.exec(select(func.count()).select_from(Poll)).one() == 1


@pytest.mark.parametrize(
    ("form", "problem"),
    [
        ({"question": "Q", "options": "Only one"}, "Give at least two options"),
        (
            {"question": "Q", "options": "\n".join(f"o{n}" for n in range(21))},
            "Give at most 20 options",
        ),
        ({"question": "", "options": "a\nb"}, "Ask a question"),
        ({"question": "Q", "options": "a\nA"}, "Two options say the same"),
        ({"question": "Q", "options": "a\nb", "closes_at": "tomorrow"}, "YYYY-MM-DD"),
    ],
)
def test_bad_input_writes_nothing(session, login, make_protocol, form, problem) -> None:
    host, _people, _space, protocol = _world(session, make_protocol, voters=0)
    answer = login(host).form(f"/protocols/{protocol.id}/polls", form)
    assert answer.status_code == 422
    assert problem in answer.text
    assert session.exec(select(func.count()).select_from(Poll)).one() == 0


def test_an_anonymous_poll_records_no_voter_and_holds_back_a_small_result(
    session, make_protocol
) -> None:
    host, people, _space, protocol = _world(session, make_protocol, voters=3)
    poll = create_protocol_poll(
        session,
        user=host,
        protocol_id=protocol.id,
        question="Morale?",
        options=["Good", "Bad"],
        anonymous=True,
    )
    session.commit()
    good, _bad = _options(session, poll)
    for person in people:
        vote(session, user=person, poll_id=poll.id, option_ids=[good.id])
        session.commit()
    assert session.exec(select(func.count()).select_from(PollVote)).one() == 0
    assert session.exec(select(func.count()).select_from(PollBallot)).one() == 3
    record_outcome(session, user=host, poll_id=poll.id)
    session.commit()
    decisions = parse_decisions(read_text(protocol.id)[0])
    assert decisions[-1] == ("Poll “Morale?”: 3 anonymous answers, too few to show the result")
    assert "Good" not in decisions[-1]
