"""Event pages and fragments: access as outsider/member/host/admin, forms, RSVP via htmx."""

from datetime import timedelta

from sqlmodel import func, select

from app.events.models import Event, Rsvp
from app.events.rsvp import set_rsvp
from app.posts.models import Post
from tests.events.factories import event_input, local, make_event, make_people, soon
from tests.factories import make_comment, make_space, make_user


def _people(session, visibility="private"):
    host, member, outsider = make_user(session), make_user(session), make_user(session)
    admin = make_user(session, admin=True)
    space = make_space(session, host=host, members=(member,), visibility=visibility)
    return host, member, outsider, admin, space


def test_private_event_pages_walked_as_outsider_member_host_and_admin(session, login):
    host, member, outsider, admin, space = _people(session)
    event = make_event(session, host=host, space=space, title="Secret plans")
    urls = [
        f"/events/{event.id}",
        f"/events/{event.id}.ics",
        f"/events/{event.id}/protocol",
        f"/spaces/{space.slug}/events",
    ]
    for person in (outsider, admin):
        client = login(person)
        for url in urls:
            response = client.get(url)
            assert response.status_code == 404, (person.email, url)
            assert "Secret plans" not in response.text
        assert "Secret plans" not in client.get("/").text
        assert "Secret plans" not in client.get("/events").text
    member_client, host_client = login(member), login(host)
    for url in urls:
        assert member_client.get(url).status_code == 200, url
    assert "For organisers" not in member_client.get(f"/events/{event.id}").text
    assert "For organisers" in host_client.get(f"/events/{event.id}").text
    assert member_client.get(f"/events/{event.id}/checkin").status_code == 403
    assert member_client.get(f"/events/{event.id}/checkin.svg").status_code == 403
    assert member_client.get(f"/events/{event.id}/edit").status_code == 403
    assert "Secret plans" in member_client.get("/").text  # the home page's upcoming aside


def test_create_event_through_the_form(session, login):
    _host, member, _outsider, _admin, space = _people(session, visibility="public")
    client = login(member)
    start = soon(48)
    assert "New event" in client.get(f"/spaces/{space.slug}/events").text

    response = client.form(
        f"/spaces/{space.slug}/events",
        {
            "title": "Board games",
            "description": "- Catan\n- Chess",
            "starts_at": local(start),
            "ends_at": local(start + timedelta(hours=1)),
            "timezone": "Europe/Berlin",
            "location": "Lounge",
            "capacity": "8",
            "repeat": "weekly",
            "repeat_interval": "2",
        },
    )

    assert response.status_code == 303
    event = session.exec(select(Event)).one()
    assert response.headers["location"] == f"/events/{event.id}"
    assert event.rrule.startswith("FREQ=WEEKLY;INTERVAL=2;BYDAY=")
    page = client.get(f"/spaces/{space.slug}")
    assert "Meetup: Board games" in page.text


def test_bad_form_input_answers_422_with_messages_and_saves_nothing(session, login):
    host, _member, _outsider, _admin, space = _people(session, visibility="public")
    client = login(host)
    response = client.form(
        f"/spaces/{space.slug}/events",
        {
            "title": "Oops",
            "starts_at": "2030-07-02T18:00",
            "ends_at": "2030-07-02T17:00",
            "timezone": "Nowhere/Land",
            "capacity": "-2",
            "rrule": "FREQ=HOURLY",
        },
    )
    assert response.status_code == 422
    assert "Unknown time zone" in response.text
    assert "Capacity cannot be negative" in response.text
    assert 'aria-invalid="true"' in response.text
    # The typed form (EventForm) comes back with what was typed.
    assert 'value="Oops"' in response.text and 'value="-2"' in response.text
    assert 'value="2030-07-02T17:00"' in response.text
    assert session.exec(select(func.count()).select_from(Event)).one() == 0
    assert session.exec(select(func.count()).select_from(Post)).one() == 0

    response = client.form(
        f"/spaces/{space.slug}/events",
        {
            "title": "Oops",
            "starts_at": "2030-07-02T18:00",
            "ends_at": "2030-07-02T17:00",
            "timezone": "Europe/Berlin",
            "rrule": "FREQ=HOURLY",
        },
    )
    assert response.status_code == 422
    assert "The end must be after the start" in response.text
    assert "Only weekly and monthly repeats are supported" in response.text


def test_rsvp_button_answers_the_fragment_for_htmx_and_redirects_otherwise(session, login):
    host, member, _outsider, _admin, space = _people(session, visibility="public")
    event = make_event(session, host=host, space=space, capacity="1")
    client = login(member)

    fragment = client.htmx(
        "POST", f"/events/{event.id}/rsvp", target="rsvp", data={"status": "going"}
    )
    assert fragment.status_code == 200
    assert "<html" not in fragment.text
    assert fragment.text.strip().startswith('<section class="card rsvp" id="rsvp"')
    assert "You're going." in fragment.text
    assert fragment.headers["hx-trigger"] == "rsvp-changed"

    plain = client.form(f"/events/{event.id}/rsvp", {"status": "declined"})
    assert plain.status_code == 303
    assert plain.headers["location"].startswith(f"/events/{event.id}")
    assert session.exec(select(Rsvp.status)).one() == "declined"

    attendees = client.htmx("GET", f"/events/{event.id}", target="attendees")
    assert attendees.text.strip().startswith('<section class="card" id="attendees"')


def test_rsvp_error_is_shown_in_the_fragment(session, login):
    host, member, _outsider, _admin, space = _people(session, visibility="public")
    event = make_event(session, host=host, space=space, start=soon(-5))
    client = login(member)
    response = client.htmx(
        "POST", f"/events/{event.id}/rsvp", target="rsvp", data={"status": "going"}
    )
    assert response.status_code == 422
    assert "This event is over" in response.text
    assert "<html" not in response.text


def test_edit_series_and_one_occurrence_through_the_forms(session, login):
    host, _member, _outsider, _admin, space = _people(session, visibility="public")
    start = soon(24)
    event = make_event(session, host=host, space=space, start=start, rrule="FREQ=WEEKLY")
    client = login(host)
    edit = client.get(f"/events/{event.id}/edit")
    assert 'value="weekly" selected' in edit.text

    saved = client.form(
        f"/events/{event.id}/edit",
        {**event_input(start=start, title="Renamed").__dict__, "rrule": "FREQ=WEEKLY;COUNT=3"},
    )
    assert saved.status_code == 303
    session.refresh(event)
    assert event.title == "Renamed"
    assert event.rrule.endswith("COUNT=3")

    day = local(start)[:10]
    page = client.get(f"/events/{event.id}/occurrences/{day}/edit")
    assert page.status_code == 200
    cancelled = client.form(
        f"/events/{event.id}/occurrences/{day}/edit",
        {"location": "Elsewhere", "cancelled": "true"},
    )
    assert cancelled.status_code == 303
    assert "Cancelled" in client.get(f"/events/{event.id}?on={day}").text
    too_far = local(start + timedelta(days=30))
    bad = client.form(f"/events/{event.id}/occurrences/{day}/edit", {"starts_at": too_far})
    assert bad.status_code == 422
    assert "at most three days" in bad.text
    assert client.get(f"/events/{event.id}?on=not-a-date").status_code == 422


def test_a_check_in_outside_its_hours_is_a_clear_422_and_checks_no_one_in(session, login):
    host, member, _outsider, _admin, space = _people(session, visibility="public")
    event = make_event(session, host=host, space=space, start=soon(24 * 3))

    response = login(member).get(f"/events/{event.id}/checkin/{event.checkin_code}")

    assert response.status_code == 422
    assert "Check-in opens two hours before the event starts" in response.text
    assert event.title in response.text
    assert [r for r in session.exec(select(Rsvp)).all() if r.checked_in_at] == []


def test_check_in_through_the_link(session, login):
    host, member, _outsider, _admin, space = _people(session, visibility="public")
    event = make_event(session, host=host, space=space, start=soon(0.5))
    client = login(member)
    assert client.get(f"/events/{event.id}/checkin/wrong-code").status_code == 404
    response = client.get(f"/events/{event.id}/checkin/{event.checkin_code}")
    assert response.status_code == 200
    assert "You're checked in" in response.text
    again = client.get(f"/events/{event.id}/checkin/{event.checkin_code}")
    assert "already checked in" in again.text
    host_client = login(host)
    qr = host_client.get(f"/events/{event.id}/checkin.svg")
    assert qr.headers["content-type"] == "image/svg+xml"
    assert qr.text.startswith("<svg")
    page = host_client.get(f"/events/{event.id}/checkin")
    assert event.checkin_code in page.text
    assert member.display_name in page.text


def test_protocol_page_offers_the_template_to_copy(session, login):
    host, member, _outsider, _admin, space = _people(session, visibility="public")
    event = make_event(session, host=host, space=space)
    set_rsvp(session, user=member, event_id=event.id, status="going")
    session.commit()
    page = login(host).get(f"/events/{event.id}/protocol")
    assert "<textarea" in page.text
    assert "readonly" in page.text
    assert "Copy protocol template" in page.text
    assert f"- {member.display_name}" in page.text
    assert "1. Roadmap" not in page.text  # numbered from the list: Welcome, Roadmap, Questions
    assert "2. Roadmap" in page.text


def test_recap_post_in_one_click(session, login):
    host, _member, _outsider, _admin, space = _people(session, visibility="public")
    event = make_event(session, host=host, space=space, start=soon(-3))
    response = login(host).form(f"/events/{event.id}/recap", {})
    assert response.status_code == 303
    post = session.exec(select(Post).where(Post.title == "Recap: Coffee chat")).one()
    assert response.headers["location"] == f"/posts/{post.id}/edit"
    assert f"/events/{event.id}" in post.body


def test_calendar_address_is_shown_once_asked_and_can_be_revoked(session, login):
    host, _member, _outsider, _admin, space = _people(session, visibility="public")
    make_event(session, host=host, space=space)
    client = login(host)
    assert "/calendar/" not in client.get(f"/spaces/{space.slug}/events").text

    box = client.htmx("POST", f"/spaces/{space.slug}/events/calendar", target="calendar-box")
    url = box.text.split('value="')[1].split('"')[0]
    assert url.startswith("http://testserver/calendar/")
    path = url.removeprefix("http://testserver")
    assert client.get(f"/spaces/{space.slug}/events").text.count(url) == 1
    feed = client.get(path)
    assert feed.headers["content-type"].startswith("text/calendar")
    assert "BEGIN:VEVENT" in feed.text

    client.htmx("POST", f"/spaces/{space.slug}/events/calendar/revoke", target="calendar-box")
    assert client.get(path).status_code == 404


def test_space_settings_keep_creation_to_hosts(session, login):
    host, member, _outsider, _admin, space = _people(session, visibility="public")
    assert login(member).get(f"/spaces/{space.slug}/events/new").status_code == 200
    login(host).form(f"/spaces/{space.slug}/events/settings", {"creators": "hosts"})
    member_client = login(member)
    assert member_client.get(f"/spaces/{space.slug}/events/new").status_code == 403
    assert "New event" not in member_client.get(f"/spaces/{space.slug}/events").text


def _fill(session, event, people, comments=0):
    for person in people:
        set_rsvp(session, user=person, event_id=event.id, status="going")
    session.commit()
    post = session.get(Post, event.discussion_post_id)
    for i in range(comments):
        make_comment(session, author=people[i % len(people)], post=post, body=f"comment {i}")


def test_event_page_query_count_does_not_grow_with_rsvps_or_comments(session, login, count_queries):
    host = make_user(session)
    people = make_people(session, 40)
    space = make_space(session, host=host, members=tuple(people))
    event = make_event(session, host=host, space=space, capacity="25", rrule="FREQ=WEEKLY")
    _fill(session, event, people[:2], comments=1)
    client = login(host)
    with count_queries() as few:
        assert client.get(f"/events/{event.id}").status_code == 200
    _fill(session, event, people[2:], comments=30)
    with count_queries() as many:
        page = client.get(f"/events/{event.id}")
    assert page.status_code == 200
    assert "15 on the waitlist" in page.text
    assert len(many) == len(few)
    assert len(many) <= 14


def test_upcoming_lists_query_count_does_not_grow(session, login, count_queries):
    host = make_user(session)
    space = make_space(session, host=host)
    make_event(session, host=host, space=space, rrule="FREQ=WEEKLY")
    client = login(host)
    counted = {}
    for url in ("/", "/events", f"/spaces/{space.slug}/events"):
        with count_queries() as few:
            assert client.get(url).status_code == 200
        counted[url] = len(few)
    for hours in range(30, 30 + 24 * 12, 24):
        make_event(session, host=host, space=space, start=soon(hours))
    make_event(session, host=host, space=space, start=soon(5), repeat="monthly")
    for url in ("/", "/events", f"/spaces/{space.slug}/events"):
        with count_queries() as many:
            response = client.get(url)
        assert response.status_code == 200
        assert len(many) == counted[url], url
        assert "Coffee chat" in response.text


def test_home_aside_costs_exactly_one_query(session, login, count_queries, monkeypatch):
    from app.events import views

    host = make_user(session)
    space = make_space(session, host=host)
    make_event(session, host=host, space=space, rrule="FREQ=WEEKLY")
    client = login(host)
    with count_queries() as with_aside:
        assert "Coffee chat" in client.get("/").text
    monkeypatch.setattr("app.home.page.upcoming_for_home", lambda *_a, **_k: [])
    with count_queries() as without:
        client.get("/")
    assert len(with_aside) - len(without) == 1
    assert views.upcoming_for_home is not None


def test_times_show_in_the_viewers_zone_with_the_local_time_beside(session, login):
    from app.people.service import update_profile

    host = make_user(session)
    viewer = make_user(session)
    update_profile(
        session,
        user=viewer,
        display_name=viewer.display_name,
        title="",
        department="",
        locale="en",
        time_zone="America/New_York",
    )
    session.commit()
    space = make_space(session, host=host)
    # 1 April 2030: Berlin is on summer time (UTC+2), New York too (UTC-4).
    event = make_event(
        session, host=host, space=space, starts_at="2030-04-01T18:00", ends_at="2030-04-01T19:30"
    )
    page = login(viewer).get(f"/events/{event.id}").text
    assert "12:00" in page
    assert "13:30" in page
    assert "(America/New_York)" in page
    assert "Local time at the event:" in page
    assert "18:00–19:30 (Europe/Berlin)" in page
    own = login(host).get(f"/events/{event.id}").text
    assert "18:00" in own
    assert "Local time at the event:" not in own


def test_a_full_event_says_it_is_full_and_dates_read_as_each_language_writes_them(session, login):
    host, member, _outsider, _admin, space = _people(session, visibility="public")
    event = make_event(
        session,
        host=host,
        space=space,
        starts_at="2030-07-02T18:00",
        ends_at="2030-07-02T20:00",
        capacity="1",
    )
    set_rsvp(session, user=member, event_id=event.id, status="going")
    session.commit()

    english = login(host).get(f"/events/{event.id}").text
    assert "Full: 1 place is taken" in english
    assert "0 places left" not in english
    assert "Tuesday, 2 July 2030, 18:00" in english
    assert "Full" in login(host).get(f"/spaces/{space.slug}/events").text

    german_reader = make_user(session, locale="de")
    german = login(german_reader).get(f"/events/{event.id}").text
    assert "Dienstag, 2. Juli 2030, 18:00" in german
    assert "Ausgebucht" in german and "noch 0" not in german
    discussion = session.get(Post, event.discussion_post_id)
    assert "Full: 1 place is taken" in discussion.body
