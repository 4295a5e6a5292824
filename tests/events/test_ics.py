"""iCalendar output: parses back, strict required properties, DST, changes; feeds and access."""

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from icalendar import Calendar

from app.events.feeds import feed_calendar, feed_token, revoke_feed_token
from app.events.recurrence import expand
from app.events.rsvp import set_rsvp
from app.events.service import cancel_event, update_event, update_occurrence
from app.spaces.access import access_for
from app.spaces.service import leave_space
from tests.events.factories import event_input, make_event, make_people, soon
from tests.factories import make_space, make_user

BERLIN = ZoneInfo("Europe/Berlin")
REQUIRED_EVENT = ("UID", "DTSTAMP", "DTSTART", "DTEND", "SUMMARY", "SEQUENCE", "STATUS")


def strict_parse(raw: bytes) -> Calendar:
    """Parse and check what RFC 5545 (and calendar clients) need, failing loudly otherwise."""
    text = raw.decode("utf-8")
    assert text.startswith("BEGIN:VCALENDAR\r\n")
    assert text.endswith("END:VCALENDAR\r\n")
    assert all(len(line.encode()) <= 75 for line in text.split("\r\n")), "unfolded long line"
    assert "\n" not in text.replace("\r\n", "")
    calendar = Calendar.from_ical(raw)
    assert str(calendar["VERSION"]) == "2.0"
    assert str(calendar["PRODID"])
    assert calendar.subcomponents, "RFC 5545 wants at least one component"
    zones = {str(tz["TZID"]) for tz in calendar.walk("VTIMEZONE")}
    for tz in calendar.walk("VTIMEZONE"):
        assert tz.walk("STANDARD") or tz.walk("DAYLIGHT")
    assert calendar.get_used_tzids() <= zones | {"UTC"}, "TZID without VTIMEZONE"
    seen = set()
    for event in calendar.walk("VEVENT"):
        for name in REQUIRED_EVENT:
            assert name in event, f"VEVENT without {name}"
            assert not isinstance(event[name], list), f"{name} twice"
        assert event.decoded("DTSTAMP").tzinfo is not None
        assert event.decoded("DTEND") > event.decoded("DTSTART")
        assert str(event["STATUS"]) in ("CONFIRMED", "CANCELLED", "TENTATIVE")
        key = (str(event["UID"]), str(event.get("RECURRENCE-ID", "")))
        assert key not in seen, "duplicate UID without RECURRENCE-ID"
        seen.add(key)
    return calendar


def _ics(client, event_id) -> Calendar:
    response = client.get(f"/events/{event_id}.ics")
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/calendar; charset=utf-8"
    return strict_parse(response.content)


def test_single_event_round_trips(session, login):
    host = make_user(session)
    space = make_space(session, host=host)
    event = make_event(
        session,
        host=host,
        space=space,
        starts_at="2030-07-02T18:00",
        ends_at="2030-07-02T20:00",
        online_url="https://meet.example.com/x",
    )
    calendar = _ics(login(host), event.id)
    (component,) = calendar.walk("VEVENT")

    assert str(component["UID"]) == f"event-{event.id}@testserver"
    assert component.decoded("DTSTART") == datetime(2030, 7, 2, 18, 0, tzinfo=BERLIN)
    assert component.decoded("DTSTART").astimezone(UTC) == event.starts_at
    assert component["DTSTART"].params["TZID"] == "Europe/Berlin"
    assert str(component["SUMMARY"]) == "Coffee chat"
    assert str(component["LOCATION"]) == "Room 4"
    assert "https://meet.example.com/x" in str(component["DESCRIPTION"])
    assert str(component["URL"]) == f"http://testserver/events/{event.id}"
    assert int(component["SEQUENCE"]) == 0


def test_uid_stays_sequence_grows_and_cancel_says_cancelled(session, login):
    host = make_user(session)
    space = make_space(session, host=host)
    start = soon(24)
    event = make_event(session, host=host, space=space, start=start)
    client = login(host)
    before = _ics(client, event.id).walk("VEVENT")[0]

    update_event(
        session, user=host, event_id=event.id, data=event_input(start=start, location="Roof")
    )
    session.commit()
    changed = _ics(client, event.id).walk("VEVENT")[0]
    cancel_event(session, user=host, event_id=event.id)
    session.commit()
    cancelled = _ics(client, event.id).walk("VEVENT")[0]

    assert str(before["UID"]) == str(changed["UID"]) == str(cancelled["UID"])
    assert [int(c["SEQUENCE"]) for c in (before, changed, cancelled)] == [0, 1, 2]
    assert str(changed["LOCATION"]) == "Roof"
    assert str(cancelled["STATUS"]) == "CANCELLED"


def test_series_keeps_wall_time_and_sends_changed_occurrences(session, login):
    host = make_user(session)
    space = make_space(session, host=host)
    event = make_event(
        session,
        host=host,
        space=space,
        starts_at="2030-03-26T18:00",
        ends_at="2030-03-26T19:00",
        rrule="FREQ=WEEKLY;BYDAY=TU;COUNT=6",
    )
    update_occurrence(
        session, user=host, event_id=event.id, day=date(2030, 4, 9), starts_at="2030-04-09T19:30"
    )
    update_occurrence(session, user=host, event_id=event.id, day=date(2030, 4, 16), cancelled=True)
    session.commit()
    calendar = _ics(login(host), event.id)
    master, moved, gone = calendar.walk("VEVENT")

    assert str(master["RRULE"].to_ical().decode()) == "FREQ=WEEKLY;COUNT=6;BYDAY=TU"
    # What a calendar client expands from DTSTART (with TZID) + RRULE equals our expansion,
    # across the 31 March DST change.
    from dateutil.rrule import rrulestr

    start = master.decoded("DTSTART")
    theirs = list(rrulestr(master["RRULE"].to_ical().decode(), dtstart=start.replace(tzinfo=None)))
    ours = [
        s.starts_at
        for s in expand(
            rule_text=event.rrule,
            starts_at=event.starts_at,
            ends_at=event.ends_at,
            zone_name="Europe/Berlin",
        )
    ]
    assert [t.replace(tzinfo=BERLIN).astimezone(UTC) for t in theirs] == ours
    assert {o.astimezone(BERLIN).hour for o in ours} == {18}
    assert moved.decoded("RECURRENCE-ID") == datetime(2030, 4, 9, 18, 0, tzinfo=BERLIN)
    assert moved.decoded("DTSTART") == datetime(2030, 4, 9, 19, 30, tzinfo=BERLIN)
    assert str(moved["UID"]) == str(master["UID"])
    assert str(gone["STATUS"]) == "CANCELLED"
    assert gone.decoded("RECURRENCE-ID") == datetime(2030, 4, 16, 18, 0, tzinfo=BERLIN)
    assert int(master["SEQUENCE"]) == 2


def _feed(session, token) -> list[str]:
    calendar = strict_parse(feed_calendar(session, token=token))
    return sorted(str(e["SUMMARY"]) for e in calendar.walk("VEVENT"))


def test_feed_never_shows_events_of_spaces_the_owner_cannot_read(session, login):
    host, member, outsider = make_user(session), make_user(session), make_user(session)
    private = make_space(session, host=host, members=(member,), visibility="private")
    secret = make_space(session, host=host, visibility="secret")
    public = make_space(session, host=host)
    make_event(session, host=host, space=private, title="private meetup")
    make_event(session, host=host, space=secret, title="secret meetup")
    public_event = make_event(session, host=host, space=public, title="public meetup")
    set_rsvp(session, user=outsider, event_id=public_event.id, status="going")
    session.commit()

    outsider_token = feed_token(session, user=outsider)
    member_token = feed_token(session, user=member)
    space_token = feed_token(session, user=member, access=access_for(session, member, private))
    session.commit()

    # Subscribed from outside, with nobody signed in: only what the owner may read.
    response = login(outsider).get(f"/calendar/{outsider_token}.ics")
    assert response.status_code == 200
    assert "private meetup" not in response.text
    assert "secret meetup" not in response.text
    assert _feed(session, outsider_token) == ["public meetup"]
    assert _feed(session, member_token) == ["private meetup"]
    assert _feed(session, space_token) == ["private meetup"]

    # Leaving the space empties the personal feed and ends the space's one at once; no token
    # change needed (tests/events/test_feed_membership.py has the details).
    leave_space(session, access=access_for(session, member, private))
    session.commit()
    assert _feed(session, member_token) == []
    assert login(outsider).get(f"/calendar/{space_token}.ics").status_code == 404


def test_feed_addresses_are_stable_revocable_and_stored_as_hashes(session):
    from sqlmodel import select

    from app.events.models import CalendarToken

    person = make_people(session, 1)[0]
    token = feed_token(session, user=person)
    assert feed_token(session, user=person) == token
    row = session.exec(select(CalendarToken)).one()
    assert token not in (row.token_hash, row.salt)
    revoke_feed_token(session, user=person)
    session.commit()
    import pytest

    from app.core.errors import NotFound

    with pytest.raises(NotFound):
        feed_calendar(session, token=token)
    assert feed_token(session, user=person) != token


def test_deactivated_owner_feed_is_gone(session):
    import pytest

    from app.core.errors import NotFound
    from app.people.service import set_active

    admin = make_user(session, admin=True)
    person = make_people(session, 1)[0]
    token = feed_token(session, user=person)
    set_active(session, user=person, active=False, actor=admin)
    session.commit()
    with pytest.raises(NotFound):
        feed_calendar(session, token=token)


def test_empty_feed_is_still_valid(session):
    person = make_people(session, 1)[0]
    token = feed_token(session, user=person)
    calendar = strict_parse(feed_calendar(session, token=token))
    assert calendar.walk("VTIMEZONE")
    assert not calendar.walk("VEVENT")


def test_feed_keeps_recent_past_and_drops_old_events(session):
    host = make_user(session)
    space = make_space(session, host=host)
    now = datetime.now(UTC)
    make_event(session, host=host, space=space, title="last month", start=now - timedelta(days=30))
    make_event(session, host=host, space=space, title="last year", start=now - timedelta(days=365))
    token = feed_token(session, user=host)
    assert _feed(session, token) == ["last month"]


def test_the_description_is_plain_text_without_markdown(session, login):
    host = make_user(session)
    space = make_space(session, host=host)
    event = make_event(
        session,
        host=host,
        space=space,
        description=(
            "We run the **company relay** in _May_.\n\n"
            "- bring [your shoes](https://shoes.example.com)\n- `water`\n\n2 * 3 laps"
        ),
    )
    (component,) = _ics(login(host), event.id).walk("VEVENT")
    description = str(component["DESCRIPTION"])

    assert description.startswith("We run the company relay in May.\n\n")
    assert "- bring your shoes (https://shoes.example.com)\n- water" in description
    assert "2 * 3 laps" in description  # an asterisk that is no emphasis stays
    assert "**" not in description and "`" not in description and "_May_" not in description
    assert description.endswith(f"http://testserver/events/{event.id}")
