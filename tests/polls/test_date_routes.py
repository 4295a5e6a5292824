"""Date poll pages and fragments: access, the proposal form, answering by htmx, the event."""

from sqlmodel import func, select

from app.events.models import Event, Rsvp
from app.people.models import User
from app.polls.dates import answer_date_poll
from app.polls.models import DatePoll
from tests.events.factories import make_people
from tests.factories import make_space, make_user
from tests.polls.factories import make_date_poll


def _people(session, visibility="private"):
    host, member, outsider = make_user(session), make_user(session), make_user(session)
    admin = make_user(session, admin=True)
    space = make_space(session, host=host, members=(member,), visibility=visibility)
    return host, member, outsider, admin, space


def test_a_private_poll_is_invisible_to_outsiders_and_admins_who_are_not_members(session, login):
    host, member, outsider, admin, space = _people(session)
    poll, options = make_date_poll(session, host=host, space=space, title="Secret dinner")
    first = options[0].id
    for person in (outsider, admin):
        client = login(person)
        for url in (f"/date-polls/{poll.id}", f"/spaces/{space.slug}/date-polls"):
            response = client.get(url)
            assert response.status_code == 404, url
            assert "Secret dinner" not in response.text
        answered = client.form(f"/date-polls/{poll.id}/answers", {f"answer_{first}": "yes"})
        assert answered.status_code == 404
        made = client.form(f"/date-polls/{poll.id}/event", {"option_id": str(first)})
        assert made.status_code == 404
        assert "Secret dinner" not in client.get(f"/spaces/{space.slug}/date-polls/new").text
    assert "Secret dinner" in login(member).get(f"/date-polls/{poll.id}").text
    assert "Secret dinner" in login(member).get(f"/spaces/{space.slug}/date-polls").text


def test_propose_through_the_form_and_see_times_in_ones_own_zone(session, login):
    host, member, _outsider, _admin, space = _people(session, visibility="public")
    client = login(member)
    form = client.get(f"/spaces/{space.slug}/date-polls/new")
    assert form.status_code == 200
    assert "Visible to everyone at the company." in form.text
    more = client.form(f"/spaces/{space.slug}/date-polls", {"title": "x", "rows": "3", "more": "1"})
    assert more.status_code == 200
    assert 'name="starts_at_5"' in more.text
    assert session.exec(select(func.count()).select_from(DatePoll)).one() == 0

    bad = client.form(
        f"/spaces/{space.slug}/date-polls",
        {"title": "Dinner", "timezone": "Europe/Berlin", "starts_at_0": "", "rows": "3"},
    )
    assert bad.status_code == 422
    assert "Propose at least one date" in bad.text

    made = client.form(
        f"/spaces/{space.slug}/date-polls",
        {
            "title": "Dinner",
            "timezone": "Europe/Berlin",
            "starts_at_0": "2030-07-01T18:00",
            "ends_at_0": "2030-07-01T20:00",
            "starts_at_2": "2030-07-02T18:00",
        },
    )
    assert made.status_code == 303, made.text
    url = made.headers["location"]
    # A reader in New York sees the Berlin evening as noon (both on summer time).
    reader = session.get(User, host.id)
    reader.time_zone = "America/New_York"
    session.add(reader)
    session.commit()
    page = login(host).get(url)
    assert page.status_code == 200
    assert "12:00" in page.text and "14:00" in page.text
    assert "America/New_York" in page.text


def test_answer_by_htmx_and_by_plain_form(session, login):
    host, member, _outsider, _admin, space = _people(session)
    poll, options = make_date_poll(session, host=host, space=space)
    client = login(member)
    fragment = client.htmx(
        "POST",
        f"/date-polls/{poll.id}/answers",
        target="poll",
        data={f"answer_{options[1].id}": "yes", f"answer_{options[0].id}": "maybe"},
    )
    assert fragment.status_code == 200, fragment.text
    assert fragment.text.lstrip().startswith('<section class="card" id="poll"')
    assert "Best date" in fragment.text
    assert member.display_name in fragment.text
    plain = client.form(f"/date-polls/{poll.id}/answers", {f"answer_{options[1].id}": "no"})
    assert plain.status_code == 303
    bad = client.htmx(
        "POST", f"/date-polls/{poll.id}/answers", target="poll", data={"answer_999": "yes"}
    )
    assert bad.status_code == 422
    assert "This date is not part of the poll" in bad.text


def test_the_host_makes_the_event_and_yes_sayers_are_going(session, login):
    host = make_user(session)
    people = [make_user(session), *make_people(session, 2)]
    space = make_space(session, host=host, members=tuple(people))
    poll, options = make_date_poll(session, host=host, space=space)
    for person, choice in zip(people, ("yes", "yes", "maybe"), strict=True):
        answer_date_poll(
            session, user=person, poll_id=poll.id, answers={str(options[2].id): choice}
        )
    session.commit()
    member_page = login(people[0]).get(f"/date-polls/{poll.id}")
    assert "Make it an event" not in member_page.text
    client = login(host)
    made = client.form(
        f"/date-polls/{poll.id}/event",
        {"option_id": str(options[2].id), "capacity": "", "location": "Canteen"},
    )
    assert made.status_code == 303, made.text
    event = session.exec(select(Event)).one()
    assert made.headers["location"] == f"/events/{event.id}"
    statuses = {r.user_id: r.status for r in session.exec(select(Rsvp)).all()}
    assert statuses == {people[0].id: "going", people[1].id: "going"}
    assert "Go to the event" in client.get(f"/date-polls/{poll.id}").text
    bad = client.form(f"/date-polls/{poll.id}/event", {"option_id": "1", "capacity": "many"})
    assert bad.status_code == 422


def test_poll_page_query_count_does_not_grow_with_answers(session, login, count_queries):
    host = make_user(session)
    people = make_people(session, 30)
    space = make_space(session, host=host, members=tuple(people))
    poll, options = make_date_poll(session, host=host, space=space)
    answers = {str(o.id): "yes" for o in options}
    answer_date_poll(session, user=people[0], poll_id=poll.id, answers=answers)
    session.commit()
    client = login(host)
    with count_queries() as few:
        assert client.get(f"/date-polls/{poll.id}").status_code == 200
    for person in people[1:]:
        answer_date_poll(session, user=person, poll_id=poll.id, answers=answers)
    session.commit()
    with count_queries() as many:
        assert client.get(f"/date-polls/{poll.id}").status_code == 200
    assert len(many) == len(few)


def test_repeating_an_answer_keeps_ones_turn_and_changing_it_takes_a_new_one(session):
    from datetime import UTC, datetime, timedelta

    from app.polls.models import DatePollAnswer

    host, first, second = make_user(session), make_user(session), make_user(session)
    space = make_space(session, host=host, members=(first, second))
    poll, options = make_date_poll(session, host=host, space=space)
    slot = str(options[0].id)
    start = datetime(2029, 1, 1, tzinfo=UTC)
    for minutes, person, choice in ((0, first, "yes"), (1, second, "yes"), (2, first, "yes")):
        answer_date_poll(
            session,
            user=person,
            poll_id=poll.id,
            answers={slot: choice},
            now=start + timedelta(minutes=minutes),
        )
    order = select(DatePollAnswer.user_id).order_by(DatePollAnswer.answered_at)
    assert session.exec(order).all() == [first.id, second.id]
    answer_date_poll(
        session, user=first, poll_id=poll.id, answers={slot: "no"}, now=start + timedelta(minutes=3)
    )
    answer_date_poll(
        session,
        user=first,
        poll_id=poll.id,
        answers={slot: "yes"},
        now=start + timedelta(minutes=4),
    )
    session.expire_all()
    assert session.exec(order).all() == [second.id, first.id]
