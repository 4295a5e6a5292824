"""The events JSON API: bearer auth, the listed endpoints, JSON errors, access."""

from sqlmodel import func, select

from app.events.models import Event
from tests.events.factories import make_people
from tests.factories import make_space, make_token, make_user


def _api(client, token):
    def call(method, url, **kwargs):
        headers = {"Authorization": f"Bearer {token}"}
        return client.request(method, f"/api/v1{url}", headers=headers, **kwargs)

    return call


def _setup(session, client, visibility="public"):
    host = make_user(session)
    guest, other, outsider = make_people(session, 3)
    space = make_space(session, host=host, members=(guest, other), visibility=visibility)
    return space, {
        p: _api(client, make_token(session, user=u))
        for p, u in {"host": host, "guest": guest, "other": other, "outsider": outsider}.items()
    }


BODY = {
    "title": "API meetup",
    "description": "- one\n- two",
    "starts_at": "2030-03-05T18:00",
    "ends_at": "2030-03-05T20:00",
    "timezone": "Europe/Berlin",
    "location": "Room 1",
    "capacity": 1,
}


def test_without_a_token_the_api_answers_401_json(client, session):
    response = client.get("/api/v1/me/calendar")
    assert response.status_code == 401
    assert response.json() == {"detail": "Not authenticated"}
    assert response.headers["www-authenticate"] == "Bearer"
    bad = client.get("/api/v1/me/calendar", headers={"Authorization": "Bearer nope"})
    assert bad.status_code == 401


def test_create_read_list_change_and_cancel(client, session):
    space, api = _setup(session, client)

    created = api["host"]("POST", f"/spaces/{space.slug}/events", json=BODY)
    assert created.status_code == 201, created.text
    event = created.json()
    assert event["starts_at"] == "2030-03-05T17:00:00Z"
    assert event["ends_at"] == "2030-03-05T19:00:00Z"
    assert event["timezone"] == "Europe/Berlin"
    assert event["space"] == space.slug
    assert event["going_count"] == 0
    assert event["waitlist_count"] == 0
    assert event["discussion_post_id"] is not None
    assert event["protocol_id"] is None

    assert api["guest"]("GET", f"/events/{event['id']}").json()["title"] == "API meetup"
    listing = api["guest"]("GET", f"/spaces/{space.slug}/events").json()
    assert [e["id"] for e in listing["items"]] == [event["id"]]
    assert listing["next_cursor"] is None

    patched = api["host"]("PATCH", f"/events/{event['id']}", json={"timezone": "America/New_York"})
    assert patched.status_code == 200
    # The wall-clock time stays 18:00, now in New York.
    assert patched.json()["starts_at"] == "2030-03-05T23:00:00Z"
    assert api["guest"]("PATCH", f"/events/{event['id']}", json={"title": "x"}).status_code == 403

    assert api["host"]("DELETE", f"/events/{event['id']}").status_code == 204
    assert api["guest"]("GET", f"/events/{event['id']}").json()["cancelled"] is True


def test_list_pages_with_a_cursor(client, session):
    space, api = _setup(session, client)
    for day in range(1, 6):
        body = {**BODY, "starts_at": f"2030-03-0{day}T18:00", "ends_at": f"2030-03-0{day}T19:00"}
        assert api["host"]("POST", f"/spaces/{space.slug}/events", json=body).status_code == 201
    first = api["guest"]("GET", f"/spaces/{space.slug}/events?limit=3").json()
    rest = api["guest"](
        "GET", f"/spaces/{space.slug}/events?limit=3&cursor={first['next_cursor']}"
    ).json()
    starts = [e["starts_at"][:10] for e in first["items"] + rest["items"]]
    assert starts == [f"2030-03-0{d}" for d in range(1, 6)]
    assert rest["next_cursor"] is None


def test_bad_input_is_422_json_and_nothing_is_saved(client, session):
    space, api = _setup(session, client)
    bad = {
        **BODY,
        "ends_at": "2030-03-05T17:00",
        "capacity": -1,
        "timezone": "Mars/Base",
        "rrule": "FREQ=SECONDLY",
    }
    response = api["host"]("POST", f"/spaces/{space.slug}/events", json=bad)
    assert response.status_code == 422
    body = response.json()
    # The API's one 422 format: an item per field (times need a known zone first).
    assert {tuple(item["loc"]) for item in body["detail"]} == {
        ("body", "capacity"),
        ("body", "timezone"),
    }
    assert all(item["msg"] and item["type"] == "invalid" for item in body["detail"])
    response = api["host"](
        "POST",
        f"/spaces/{space.slug}/events",
        json={**BODY, "rrule": "FREQ=SECONDLY", "ends_at": "2030-03-05T17:00"},
    )
    assert {item["loc"][1] for item in response.json()["detail"]} == {"ends_at", "rrule"}
    assert session.exec(select(func.count()).select_from(Event)).one() == 0


def test_rsvp_waitlist_and_attendees(client, session):
    space, api = _setup(session, client)
    event_id = api["host"]("POST", f"/spaces/{space.slug}/events", json=BODY).json()["id"]

    assert api["guest"]("POST", f"/events/{event_id}/rsvp", json={"status": "going"}).json() == {
        "status": "going"
    }
    assert api["guest"]("POST", f"/events/{event_id}/rsvp", json={"status": "going"}).json() == {
        "status": "going"
    }
    assert api["other"]("POST", f"/events/{event_id}/rsvp", json={"status": "going"}).json() == {
        "status": "waitlisted"
    }
    event = api["other"]("GET", f"/events/{event_id}").json()
    assert (event["going_count"], event["waitlist_count"]) == (1, 1)
    attendees = api["host"]("GET", f"/events/{event_id}/attendees").json()
    assert [a["status"] for a in attendees["items"]] == ["going", "waitlisted"]

    api["guest"]("POST", f"/events/{event_id}/rsvp", json={"status": "declined"})
    event = api["other"]("GET", f"/events/{event_id}").json()
    assert (event["going_count"], event["waitlist_count"]) == (1, 0)
    nope = api["guest"]("POST", f"/events/{event_id}/rsvp", json={"status": "waitlisted"})
    assert nope.status_code == 422
    assert nope.json()["detail"] == [
        {"loc": ["body", "status"], "msg": "Answer going, maybe or declined", "type": "invalid"}
    ]


def test_private_events_are_404_for_outsiders(client, session):
    space, api = _setup(session, client, visibility="private")
    event_id = api["host"]("POST", f"/spaces/{space.slug}/events", json=BODY).json()["id"]
    for method, url in [
        ("GET", f"/events/{event_id}"),
        ("GET", f"/events/{event_id}.ics"),
        ("GET", f"/events/{event_id}/attendees"),
        ("GET", f"/spaces/{space.slug}/events"),
        ("GET", f"/spaces/{space.slug}/calendar"),
    ]:
        response = api["outsider"](method, url)
        assert response.status_code == 404, url
        assert "API meetup" not in response.text
    response = api["outsider"]("POST", f"/events/{event_id}/rsvp", json={"status": "going"})
    assert response.status_code == 404
    assert response.json() == {"detail": "Event not found"}


def test_calendar_addresses_and_ics(client, session):
    space, api = _setup(session, client)
    event_id = api["host"]("POST", f"/spaces/{space.slug}/events", json=BODY).json()["id"]
    mine = api["guest"]("GET", "/me/calendar").json()["url"]
    assert mine == api["guest"]("GET", "/me/calendar").json()["url"]
    theirs = api["guest"]("GET", f"/spaces/{space.slug}/calendar").json()["url"]
    assert mine != theirs
    feed = client.get(theirs.removeprefix("http://testserver"))
    assert "SUMMARY:API meetup" in feed.text
    ics = api["guest"]("GET", f"/events/{event_id}.ics")
    assert ics.headers["content-type"].startswith("text/calendar")
    assert f"UID:event-{event_id}@testserver" in ics.text
