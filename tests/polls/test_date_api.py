"""Date polls through the JSON API: propose, answer, count, turn a slot into an event."""

from sqlmodel import func, select

from app.events.models import Rsvp
from app.notifications.models import Notification
from app.polls.models import DatePoll, DatePollAnswer, DatePollOption
from tests.polls.helpers import poll_body, setup_space


def _create(api, space, **overrides):
    created = api("POST", f"/spaces/{space.slug}/date-polls", json=poll_body(**overrides))
    assert created.status_code == 201, created.text
    return created.json()


def test_propose_in_berlin_and_read_back_in_utc(client, session):
    space, api, _host, _people = setup_space(session, client)
    poll = _create(api["host"], space)
    assert [o["starts_at"] for o in poll["options"]] == [
        "2030-03-05T17:00:00+00:00",
        "2030-03-06T17:00:00+00:00",
        "2030-03-07T18:00:00+00:00",
    ]
    assert poll["options"][1]["ends_at"] is None
    assert poll["best_option_id"] is None
    read = api["m0"]("GET", f"/date-polls/{poll['id']}")
    assert read.status_code == 200
    assert read.json()["options"] == poll["options"]


def test_a_summer_slot_keeps_its_wall_clock_time_across_dst(client, session):
    space, api, _host, _people = setup_space(session, client)
    poll = _create(
        api["host"],
        space,
        options=[{"starts_at": "2030-03-30T18:00"}, {"starts_at": "2030-04-01T18:00"}],
    )
    # Berlin moves from +01:00 to +02:00 on 31 March 2030.
    assert [o["starts_at"] for o in poll["options"]] == [
        "2030-03-30T17:00:00+00:00",
        "2030-04-01T16:00:00+00:00",
    ]


def test_answers_count_change_and_pick_the_best_slot(client, session):
    space, api, _host, _people = setup_space(session, client)
    poll = _create(api["host"], space)
    first, second, third = (o["id"] for o in poll["options"])
    url = f"/date-polls/{poll['id']}/answers"
    api["m0"]("PUT", url, json={"answers": {str(first): "yes", str(second): "maybe"}})
    api["m1"]("PUT", url, json={"answers": {str(second): "yes", str(third): "no"}})
    answered = api["m2"]("PUT", url, json={"answers": {str(first): "no", str(second): "maybe"}})
    assert answered.status_code == 200, answered.text
    body = answered.json()
    assert body["my_answers"] == {str(first): "no", str(second): "maybe"}
    counts = {o["id"]: (o["yes"], o["maybe"], o["no"]) for o in body["options"]}
    assert counts == {first: (1, 0, 1), second: (1, 2, 0), third: (0, 0, 1)}
    assert body["best_option_id"] == second

    # Changing an answer moves the count, never adds a second answer.
    changed = api["m2"]("PUT", url, json={"answers": {str(first): "yes"}}).json()
    counts = {o["id"]: (o["yes"], o["maybe"], o["no"]) for o in changed["options"]}
    assert counts[first] == (2, 0, 0)
    assert changed["best_option_id"] == first
    assert session.exec(select(func.count()).select_from(DatePollAnswer)).one() == 6


def test_bad_input_answers_422_and_writes_nothing(client, session):
    space, api, _host, _people = setup_space(session, client)
    url = f"/spaces/{space.slug}/date-polls"
    slot = {"starts_at": "2030-03-05T18:00"}
    cases = [
        poll_body(options=[]),
        poll_body(options=[{"starts_at": f"2030-03-{day:02d}T18:00"} for day in range(1, 22)]),
        poll_body(options=[slot, slot]),
        poll_body(options=[{"starts_at": "2030-03-05T18:00", "ends_at": "2030-03-05T17:00"}]),
        poll_body(timezone="Mars/Olympus"),
        poll_body(title="  "),
        poll_body(options=[{"starts_at": "next tuesday"}]),
        poll_body(closes_at="2020-01-01T10:00"),
        poll_body(options=[{"starts_at": "2030-03-31T02:30"}]),  # does not exist in Berlin
    ]
    for body in cases:
        answer = api["host"]("POST", url, json=body)
        assert answer.status_code == 422, (body, answer.text)
        assert answer.json()["detail"][0]["msg"]
    assert session.exec(select(func.count()).select_from(DatePoll)).one() == 0
    assert session.exec(select(func.count()).select_from(DatePollOption)).one() == 0


def test_bad_answers_and_answers_after_closing_answer_422(client, session):
    space, api, _host, _people = setup_space(session, client)
    poll = _create(api["host"], space)
    url = f"/date-polls/{poll['id']}/answers"
    first = str(poll["options"][0]["id"])
    assert api["m0"]("PUT", url, json={"answers": {first: "perhaps"}}).status_code == 422
    assert api["m0"]("PUT", url, json={"answers": {"999999": "yes"}}).status_code == 422
    assert api["m0"]("PUT", url, json={"answers": {"x": "yes"}}).status_code == 422
    made = api["host"]("POST", f"/date-polls/{poll['id']}/event", json={"option_id": int(first)})
    assert made.status_code == 201, made.text
    late = api["m0"]("PUT", url, json={"answers": {first: "yes"}})
    assert late.status_code == 422
    assert session.exec(select(func.count()).select_from(DatePollAnswer)).one() == 0


def test_a_private_poll_is_invisible_to_outsiders_on_every_path(client, session):
    space, api, _host, _people = setup_space(session, client, visibility="private")
    poll = _create(api["host"], space)
    first = poll["options"][0]["id"]
    outsider = api["outsider"]
    assert outsider("GET", f"/date-polls/{poll['id']}").status_code == 404
    put = outsider(
        "PUT", f"/date-polls/{poll['id']}/answers", json={"answers": {str(first): "yes"}}
    )
    assert put.status_code == 404
    made = outsider("POST", f"/date-polls/{poll['id']}/event", json={"option_id": first})
    assert made.status_code == 404
    created = outsider("POST", f"/spaces/{space.slug}/date-polls", json=poll_body())
    assert created.status_code == 404
    assert "Team dinner" not in put.text + made.text


def test_only_members_answer_and_only_organisers_decide(client, session):
    space, api, _host, _people = setup_space(session, client)
    poll = _create(api["m0"], space)
    first = poll["options"][0]["id"]
    # A public space: the outsider reads, but answers only after joining.
    assert api["outsider"]("GET", f"/date-polls/{poll['id']}").status_code == 200
    put = api["outsider"](
        "PUT", f"/date-polls/{poll['id']}/answers", json={"answers": {str(first): "yes"}}
    )
    assert put.status_code == 403
    other = api["m1"]("POST", f"/date-polls/{poll['id']}/event", json={"option_id": first})
    assert other.status_code == 403
    mine = api["m0"]("POST", f"/date-polls/{poll['id']}/event", json={"option_id": first})
    assert mine.status_code == 201


def test_the_event_seats_yes_sayers_in_answer_order_and_invites_the_maybes(client, session):
    space, api, _host, people = setup_space(session, client, members=4)
    poll = _create(api["host"], space)
    slot = str(poll["options"][1]["id"])
    url = f"/date-polls/{poll['id']}/answers"
    # m2 says yes first, then m0, then m3; m1 can come if need be.
    for who, choice in (("m2", "yes"), ("m0", "yes"), ("m1", "maybe"), ("m3", "yes")):
        assert api[who]("PUT", url, json={"answers": {slot: choice}}).status_code == 200

    made = api["host"](
        "POST",
        f"/date-polls/{poll['id']}/event",
        json={"option_id": int(slot), "capacity": 2, "location": "Canteen"},
    )
    assert made.status_code == 201, made.text
    event = made.json()
    assert event["title"] == "Team dinner"
    assert event["description"] == "Somewhere *nice*"
    assert event["starts_at"] == "2030-03-06T17:00:00Z"
    assert event["ends_at"] == "2030-03-06T18:00:00Z"
    assert event["timezone"] == "Europe/Berlin"
    assert (event["location"], event["capacity"]) == ("Canteen", 2)
    assert (event["going_count"], event["waitlist_count"]) == (2, 1)

    by_user = {r.user_id: r.status for r in session.exec(select(Rsvp)).all()}
    assert by_user == {people[2].id: "going", people[0].id: "going", people[3].id: "waitlisted"}
    invited = session.exec(
        select(Notification).where(Notification.kind == "date_poll_invited")
    ).all()
    assert [n.user_id for n in invited] == [people[1].id]

    read = api["m0"]("GET", f"/date-polls/{poll['id']}").json()
    assert read["closed"] is True
    assert read["event_id"] == event["id"]
    again = api["host"]("POST", f"/date-polls/{poll['id']}/event", json={"option_id": int(slot)})
    assert again.status_code == 409


def test_hosts_only_spaces_keep_proposing_to_hosts(client, session):
    from app.events.models import EventCreators, EventSpaceSetting

    space, api, _host, _people = setup_space(session, client)
    session.add(EventSpaceSetting(space_id=space.id, creators=EventCreators.hosts))
    session.commit()
    url = f"/spaces/{space.slug}/date-polls"
    assert api["m0"]("POST", url, json=poll_body()).status_code == 403
    assert api["host"]("POST", url, json=poll_body()).status_code == 201


def test_the_deadline_stops_answers_and_the_job_marks_the_poll_closed(client, session):
    from datetime import timedelta

    from app.core.db import utcnow
    from app.jobs import run_jobs_once

    space, api, _host, _people = setup_space(session, client)
    poll = _create(api["host"], space)
    url = f"/date-polls/{poll['id']}/answers"
    first = str(poll["options"][0]["id"])
    stored = session.get(DatePoll, poll["id"])
    deadline = utcnow() - timedelta(seconds=1)
    stored.closes_at = deadline
    session.add(stored)
    session.commit()
    assert api["m0"]("PUT", url, json={"answers": {first: "yes"}}).status_code == 422
    assert api["m0"]("GET", f"/date-polls/{poll['id']}").json()["closed"] is True

    assert run_jobs_once(["close_due_date_polls"]) == {"close_due_date_polls": 1}
    assert run_jobs_once(["close_due_date_polls"]) == {"close_due_date_polls": 0}
    session.expire_all()
    assert session.get(DatePoll, poll["id"]).closed_at == deadline


def test_an_admin_outside_a_secret_space_cannot_reach_its_poll(client, session):
    from tests.factories import make_token, make_user
    from tests.polls.helpers import api as caller

    space, api, _host, _people = setup_space(session, client, visibility="secret")
    poll = _create(api["host"], space)
    admin = caller(client, make_token(session, user=make_user(session, admin=True)))
    first = poll["options"][0]["id"]
    answers = [
        admin("GET", f"/date-polls/{poll['id']}"),
        admin("PUT", f"/date-polls/{poll['id']}/answers", json={"answers": {str(first): "yes"}}),
        admin("POST", f"/date-polls/{poll['id']}/event", json={"option_id": first}),
        admin("POST", f"/spaces/{space.slug}/date-polls", json=poll_body()),
    ]
    assert [a.status_code for a in answers] == [404] * 4
    assert all("Team dinner" not in a.text for a in answers)


def test_someone_who_left_the_space_is_neither_seated_nor_invited(client, session):
    from app.spaces.models import Membership

    space, api, _host, people = setup_space(session, client, visibility="private")
    poll = _create(api["host"], space)
    slot = str(poll["options"][0]["id"])
    url = f"/date-polls/{poll['id']}/answers"
    api["m0"]("PUT", url, json={"answers": {slot: "yes"}})
    api["m1"]("PUT", url, json={"answers": {slot: "maybe"}})
    api["m2"]("PUT", url, json={"answers": {slot: "yes"}})
    for person in people[:2]:
        membership = session.exec(
            select(Membership).where(
                Membership.user_id == person.id, Membership.space_id == space.id
            )
        ).one()
        session.delete(membership)
    session.commit()
    made = api["host"]("POST", f"/date-polls/{poll['id']}/event", json={"option_id": int(slot)})
    assert made.status_code == 201
    assert [r.user_id for r in session.exec(select(Rsvp)).all()] == [people[2].id]
    # Only the member still there is told (that they are going); those who left hear nothing.
    told = session.exec(select(Notification.user_id, Notification.kind)).all()
    assert told == [(people[2].id, "date_poll_decided")]
