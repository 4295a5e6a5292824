"""Input that once answered 500: dates far away, strays in the event API, and stored events whose
dates cannot be written to a calendar (which must not take the feed down for everyone)."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import select

from app.events.feeds import feed_token
from app.events.models import Event
from app.events.rsvp import set_rsvp
from app.spaces.access import access_for
from tests.events.factories import make_event, soon
from tests.factories import make_space, make_token, make_user

FAR_DATES = [
    ("0001-01-01T10:00", "0001-01-01T12:00"),
    ("9999-12-31T20:00", "9999-12-31T22:00"),
    ("9999-12-31T23:30+00:00", "9999-12-31T23:45+00:00"),
    ("1000-06-01T10:00", "1000-06-01T12:00"),
]


def _form(start: str, end: str) -> dict[str, str]:
    return {"title": "Far away", "starts_at": start, "ends_at": end, "timezone": "Europe/Berlin"}


@pytest.mark.parametrize(("start", "end"), FAR_DATES)
def test_far_dates_in_the_form_re_render_with_a_message(session, login, start, end):
    host = make_user(session)
    space = make_space(session, host=host)
    response = login(host).form(f"/spaces/{space.slug}/events", _form(start, end))
    assert response.status_code == 422
    assert "Choose a date within ten years of today" in response.text
    assert session.exec(select(Event)).all() == []


@pytest.mark.parametrize(("start", "end"), FAR_DATES)
def test_far_dates_in_the_api_answer_422_naming_the_field(session, client, start, end):
    host = make_user(session)
    space = make_space(session, host=host)
    headers = {"Authorization": f"Bearer {make_token(session, user=host)}"}
    response = client.post(
        f"/api/v1/spaces/{space.slug}/events", json=_form(start, end), headers=headers
    )
    assert response.status_code == 422, response.text
    fields = {tuple(item["loc"]) for item in response.json()["detail"]}
    assert ("body", "starts_at") in fields
    assert session.exec(select(Event)).all() == []


def test_far_deadline_and_far_change_are_refused_too(session, client):
    host = make_user(session)
    space = make_space(session, host=host)
    event = make_event(session, host=host, space=space)
    headers = {"Authorization": f"Bearer {make_token(session, user=host)}"}
    response = client.patch(
        f"/api/v1/events/{event.id}", json={"rsvp_deadline": "9999-12-31T23:00"}, headers=headers
    )
    assert response.status_code == 422, response.text
    response = client.patch(
        f"/api/v1/events/{event.id}",
        json={"starts_at": "0001-01-01T00:00", "ends_at": "0001-01-01T01:00"},
        headers=headers,
    )
    assert response.status_code == 422, response.text


def test_dates_inside_the_window_are_fine(session, client):
    host = make_user(session)
    space = make_space(session, host=host)
    headers = {"Authorization": f"Bearer {make_token(session, user=host)}"}
    start = datetime.now(UTC) + timedelta(days=365 * 9)
    body = _form(start.strftime("%Y-%m-%dT10:00"), start.strftime("%Y-%m-%dT12:00"))
    response = client.post(f"/api/v1/spaces/{space.slug}/events", json=body, headers=headers)
    assert response.status_code == 201, response.text


# Event API strictness: as strict as the other API inputs.


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"colour": "red"}, "colour"),
        ({"capacity": True}, "capacity"),
        ({"capacity": "5"}, "capacity"),
        ({"capacity": 2.5}, "capacity"),
        ({"capacity": -1}, "capacity"),
        ({"capacity": 10**12}, "capacity"),
        ({"title": 5}, "title"),
        ({"title": "x" * 201}, "title"),
        ({"timezone": ["Europe/Berlin"]}, "timezone"),
    ],
)
def test_the_event_api_refuses_strays_and_wrong_types(session, client, change, field):
    host = make_user(session)
    space = make_space(session, host=host)
    headers = {"Authorization": f"Bearer {make_token(session, user=host)}"}
    start = soon(48)
    body = {**_form(start.strftime("%Y-%m-%dT10:00"), start.strftime("%Y-%m-%dT12:00")), **change}
    response = client.post(f"/api/v1/spaces/{space.slug}/events", json=body, headers=headers)
    assert response.status_code == 422, response.text
    assert ["body", field] in [item["loc"][:2] for item in response.json()["detail"]]
    assert session.exec(select(Event)).all() == []
    event = make_event(session, host=host, space=space)
    patched = client.patch(f"/api/v1/events/{event.id}", json=change, headers=headers)
    assert patched.status_code == 422, patched.text


def test_capacity_zero_is_a_waitlist_only_event_and_null_no_limit(session, client):
    # 0 is a documented choice (everyone who answers "going" waits), not a stray.
    host = make_user(session)
    space = make_space(session, host=host)
    headers = {"Authorization": f"Bearer {make_token(session, user=host)}"}
    start = soon(48)
    body = _form(start.strftime("%Y-%m-%dT10:00"), start.strftime("%Y-%m-%dT12:00"))
    zero = client.post(
        f"/api/v1/spaces/{space.slug}/events", json={**body, "capacity": 0}, headers=headers
    )
    assert zero.status_code == 201, zero.text
    assert zero.json()["capacity"] == 0
    unlimited = client.patch(zero.json()["url"].replace("/events", "/api/v1/events"), json={})
    assert unlimited.status_code == 401  # no token: the address is right, the caller is not
    cleared = client.patch(
        f"/api/v1/events/{zero.json()['id']}", json={"capacity": None}, headers=headers
    )
    assert cleared.status_code == 200, cleared.text
    assert cleared.json()["capacity"] is None


# Feeds survive an event whose dates cannot be written (stored before dates were bounded).


def _broken_event(session, *, host, space) -> Event:
    """An event on 9999-12-31, inserted directly as old data would be: 23:30 UTC is already
    year 10000 in Berlin."""
    start = datetime(9999, 12, 31, 22, 0, tzinfo=UTC)
    event = Event(
        space_id=space.id,
        created_by_id=host.id,
        checkin_code="old-data",
        title="Broken",
        starts_at=start,
        ends_at=start + timedelta(hours=1, minutes=30),
        timezone="Europe/Berlin",
        series_ends_at=start + timedelta(hours=1, minutes=30),
        cancelled_at=datetime.now(UTC),
    )
    session.add(event)
    session.commit()
    return event


def test_a_broken_event_is_left_out_of_every_feed_not_the_feed_itself(session, client, login):
    host, guest = make_user(session), make_user(session)
    space = make_space(session, host=host, members=(guest,))
    good = make_event(session, host=host, space=space, title="Still here")
    broken = _broken_event(session, host=host, space=space)
    set_rsvp(session, user=guest, event_id=good.id, status="going")
    session.commit()

    space_feed = feed_token(session, user=guest, access=access_for(session, guest, space))
    personal_feed = feed_token(session, user=guest)
    session.commit()
    for url in (f"/calendar/{space_feed}.ics", f"/calendar/{personal_feed}.ics"):
        response = client.get(url)
        assert response.status_code == 200, url
        assert "Still here" in response.text
        assert "SUMMARY:Broken" not in response.text
        assert response.text.count("BEGIN:VTIMEZONE") >= 1

    web = login(host).get(f"/events/{broken.id}.ics")
    assert web.status_code == 200
    assert "BEGIN:VCALENDAR" in web.text
    assert "BEGIN:VEVENT" not in web.text
    headers = {"Authorization": f"Bearer {make_token(session, user=host)}"}
    api = client.get(f"/api/v1/events/{broken.id}.ics", headers=headers)
    assert api.status_code == 200
    assert "BEGIN:VEVENT" not in api.text


def test_the_skipped_event_is_logged(session, client, caplog):
    host = make_user(session)
    space = make_space(session, host=host)
    broken = _broken_event(session, host=host, space=space)
    token = feed_token(session, user=host, access=access_for(session, host, space))
    session.commit()
    with caplog.at_level("WARNING", logger="app.events.ics"):
        assert client.get(f"/calendar/{token}.ics").status_code == 200
    assert f"leaves out event {broken.id}" in caplog.text
