"""Repeat rules: strict parsing, DST-safe expansion, bounds, and paginated upcoming lists."""

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from app.core.errors import Invalid
from app.events.models import Event
from app.events.occurrences import upcoming, upcoming_in_one_query
from app.events.recurrence import (
    MAX_EXPANSION,
    build_rule,
    describe,
    expand,
    parse_rule,
    series_end,
    slot_for_date,
)
from tests.events.factories import make_event
from tests.factories import make_space, make_user

BERLIN = ZoneInfo("Europe/Berlin")


def berlin(*args: int) -> datetime:
    return datetime(*args, tzinfo=BERLIN).astimezone(UTC)


def test_weekly_series_keeps_local_wall_time_across_both_dst_changes():
    # Tuesdays 18:00 Berlin from February to November 2030: clocks change 31 Mar and 27 Oct.
    start = berlin(2030, 2, 26, 18, 0)
    slots = list(
        expand(
            rule_text="FREQ=WEEKLY;BYDAY=TU;UNTIL=20301112",
            starts_at=start,
            ends_at=start + timedelta(hours=2),
            zone_name="Europe/Berlin",
            limit=100,
        )
    )
    local_times = {s.starts_at.astimezone(BERLIN).strftime("%H:%M") for s in slots}
    utc_times = {s.starts_at.strftime("%H:%M") for s in slots}

    assert local_times == {"18:00"}
    assert utc_times == {"17:00", "16:00"}  # winter CET, summer CEST
    assert slots[0].starts_at == datetime(2030, 2, 26, 17, 0, tzinfo=UTC)
    summer = next(s for s in slots if s.occurrence_date == date(2030, 4, 2))
    assert summer.starts_at == datetime(2030, 4, 2, 16, 0, tzinfo=UTC)
    assert all(s.ends_at - s.starts_at == timedelta(hours=2) for s in slots)
    assert slots[-1].occurrence_date == date(2030, 11, 12)


def test_new_york_and_berlin_change_clocks_on_different_weekends():
    start = datetime(2030, 3, 4, 9, 0, tzinfo=ZoneInfo("America/New_York")).astimezone(UTC)
    slots = list(
        expand(
            rule_text="FREQ=WEEKLY;BYDAY=MO;COUNT=4",
            starts_at=start,
            ends_at=start + timedelta(hours=1),
            zone_name="America/New_York",
        )
    )
    # US DST starts 10 March 2030: 14:00 UTC before, 13:00 UTC after, always 09:00 local.
    assert [s.starts_at.hour for s in slots] == [14, 13, 13, 13]


def test_every_second_week_and_monthly_by_weekday():
    start = berlin(2030, 1, 8, 10, 0)  # the second Tuesday of January
    biweekly = [
        s.occurrence_date
        for s in expand(
            rule_text="FREQ=WEEKLY;INTERVAL=2;BYDAY=TU;COUNT=3",
            starts_at=start,
            ends_at=start + timedelta(hours=1),
            zone_name="Europe/Berlin",
        )
    ]
    monthly = [
        s.occurrence_date
        for s in expand(
            rule_text="FREQ=MONTHLY;BYDAY=2TU;COUNT=3",
            starts_at=start,
            ends_at=start + timedelta(hours=1),
            zone_name="Europe/Berlin",
        )
    ]
    assert biweekly == [date(2030, 1, 8), date(2030, 1, 22), date(2030, 2, 5)]
    assert monthly == [date(2030, 1, 8), date(2030, 2, 12), date(2030, 3, 12)]


def test_open_ended_series_expansion_is_bounded():
    start = berlin(2030, 1, 7, 10, 0)
    slots = list(
        expand(
            rule_text="FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR",
            starts_at=start,
            ends_at=start + timedelta(hours=1),
            zone_name="Europe/Berlin",
            limit=10**9,
        )
    )
    assert len(slots) == MAX_EXPANSION
    assert (
        series_end(
            rule_text="FREQ=WEEKLY;BYDAY=MO",
            starts_at=start,
            ends_at=start,
            zone_name="Europe/Berlin",
        )
        is None
    )


def test_window_finds_running_and_later_occurrences_only():
    start = berlin(2030, 1, 7, 10, 0)
    slots = list(
        expand(
            rule_text="FREQ=WEEKLY;BYDAY=MO",
            starts_at=start,
            ends_at=start + timedelta(hours=3),
            zone_name="Europe/Berlin",
            after=berlin(2030, 6, 3, 12, 0),  # during the 3 June occurrence
            before=berlin(2030, 6, 18, 0, 0),
        )
    )
    assert [s.occurrence_date for s in slots] == [
        date(2030, 6, 3),
        date(2030, 6, 10),
        date(2030, 6, 17),
    ]


def test_series_end_and_slot_lookup():
    start = berlin(2030, 3, 25, 18, 0)
    end = series_end(
        rule_text="FREQ=WEEKLY;BYDAY=MO;COUNT=3",
        starts_at=start,
        ends_at=start + timedelta(hours=1),
        zone_name="Europe/Berlin",
    )
    assert end == berlin(2030, 4, 8, 19, 0)
    found = slot_for_date(
        rule_text="FREQ=WEEKLY;BYDAY=MO;COUNT=3",
        starts_at=start,
        ends_at=start + timedelta(hours=1),
        zone_name="Europe/Berlin",
        day=date(2030, 4, 1),
    )
    assert found is not None
    assert found.starts_at == berlin(2030, 4, 1, 18, 0)
    assert (
        slot_for_date(
            rule_text="FREQ=WEEKLY;BYDAY=MO;COUNT=3",
            starts_at=start,
            ends_at=start,
            zone_name="Europe/Berlin",
            day=date(2030, 4, 2),
        )
        is None
    )


def test_form_choices_build_canonical_rules():
    start = berlin(2030, 1, 29, 18, 0)  # the fifth Tuesday: "last Tuesday"
    assert build_rule(repeat="weekly", interval=2, until=None, start=start, zone=BERLIN) == (
        "FREQ=WEEKLY;INTERVAL=2;BYDAY=TU"
    )
    assert build_rule(
        repeat="monthly", interval=1, until=date(2030, 6, 30), start=start, zone=BERLIN
    ) == ("FREQ=MONTHLY;BYDAY=-1TU;UNTIL=20300630T215959Z")
    assert build_rule(repeat="none", interval=1, until=None, start=start, zone=BERLIN) is None
    assert describe("FREQ=MONTHLY;BYDAY=-1TU", start=start, zone_name="Europe/Berlin") == (
        "Monthly on the last Tuesday"
    )
    assert describe(
        "FREQ=WEEKLY;INTERVAL=2;BYDAY=TU;COUNT=4", start=start, zone_name="Europe/Berlin"
    ) == ("Every 2 weeks on Tuesday, 4 times")


@pytest.mark.parametrize(
    "rule",
    [
        "FREQ=YEARLY",
        "FREQ=WEEKLY;INTERVAL=0",
        "FREQ=WEEKLY;INTERVAL=99",
        "FREQ=WEEKLY;COUNT=100000",
        "FREQ=MONTHLY;BYMONTHDAY=3",
        "FREQ=MONTHLY;BYDAY=TU",
        "FREQ=MONTHLY;INTERVAL=2;BYDAY=1TU",
        "FREQ=WEEKLY;UNTIL=2029",
        "FREQ=WEEKLY;UNTIL=20200101",
        "FREQ=WEEKLY;UNTIL=20991231",
        "FREQ=WEEKLY;FREQ=WEEKLY",
        "",
    ],
)
def test_unsupported_rules_are_refused(rule):
    with pytest.raises(Invalid) as caught:
        parse_rule(rule, start=berlin(2030, 1, 1, 10, 0), zone=BERLIN)
    assert caught.value.field == "rrule"


def test_upcoming_list_pages_through_series_and_single_events_in_order(session):
    host = make_user(session)
    space = make_space(session, host=host)
    now = datetime(2030, 1, 1, tzinfo=UTC)
    make_event(
        session,
        host=host,
        space=space,
        title="weekly",
        starts_at="2030-01-07T10:00",
        ends_at="2030-01-07T11:00",
        rrule="FREQ=WEEKLY;BYDAY=MO",
    )
    make_event(
        session,
        host=host,
        space=space,
        title="monthly",
        starts_at="2030-01-08T10:00",
        ends_at="2030-01-08T11:00",
        rrule="FREQ=MONTHLY;BYDAY=2TU",
    )
    make_event(
        session,
        host=host,
        space=space,
        title="once",
        starts_at="2030-01-16T09:00",
        ends_at="2030-01-16T10:00",
    )
    where = Event.space_id == space.id

    seen, cursor = [], None
    for _ in range(4):
        page = upcoming(session, where=where, now=now, cursor=cursor, limit=3)
        seen += [(o.event.title, o.occurrence_date.isoformat()) for o, _s in page.items]
        cursor = page.next_cursor

    assert seen == [
        ("weekly", "2030-01-07"),
        ("monthly", "2030-01-08"),
        ("weekly", "2030-01-14"),
        ("once", "2030-01-16"),
        ("weekly", "2030-01-21"),
        ("weekly", "2030-01-28"),
        ("weekly", "2030-02-04"),
        ("weekly", "2030-02-11"),
        ("monthly", "2030-02-12"),
        ("weekly", "2030-02-18"),
        ("weekly", "2030-02-25"),
        ("weekly", "2030-03-04"),
    ]
    assert cursor is not None


def test_a_moved_occurrence_is_listed_at_its_new_time(session):
    from app.events.service import update_occurrence

    host = make_user(session)
    space = make_space(session, host=host)
    now = datetime(2030, 1, 1, tzinfo=UTC)
    event = make_event(
        session,
        host=host,
        space=space,
        title="weekly",
        starts_at="2030-01-07T10:00",
        ends_at="2030-01-07T11:00",
        rrule="FREQ=WEEKLY;BYDAY=MO",
    )
    make_event(
        session,
        host=host,
        space=space,
        title="once",
        starts_at="2030-01-15T09:00",
        ends_at="2030-01-15T10:00",
    )
    update_occurrence(
        session,
        user=host,
        event_id=event.id,
        day=date(2030, 1, 14),
        starts_at="2030-01-16T10:00",
        now=now,
    )
    update_occurrence(
        session, user=host, event_id=event.id, day=date(2030, 1, 21), cancelled=True, now=now
    )
    session.commit()

    page = upcoming(session, where=Event.space_id == space.id, now=now, limit=4)
    listed = [
        (o.event.title, o.starts_at.astimezone(BERLIN).date().isoformat(), o.cancelled)
        for o, _ in page.items
    ]
    assert listed == [
        ("weekly", "2030-01-07", False),
        ("once", "2030-01-15", False),
        ("weekly", "2030-01-16", False),
        ("weekly", "2030-01-21", True),
    ]

    # The home page's one-query list reads the same from rows, without loading an entity.
    session.expunge_all()
    home = upcoming_in_one_query(session, where=Event.space_id == space.id, now=now, limit=4)
    assert [
        (o.event.title, o.starts_at.astimezone(BERLIN).date().isoformat(), o.cancelled)
        for o, _ in home
    ] == listed
    assert [s.name for _, s in home] == [space.name] * 4
    assert len(session.identity_map) == 0


def test_previous_and_next_dates_are_exact_for_any_rule():
    from app.events.recurrence import neighbour_dates

    start = berlin(2030, 1, 7, 10, 0)  # a Monday
    weekdays = "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR"
    assert neighbour_dates(
        rule_text=weekdays, starts_at=start, zone_name="Europe/Berlin", day=date(2030, 3, 11)
    ) == (date(2030, 3, 8), date(2030, 3, 12))
    yearly_ish = "FREQ=WEEKLY;INTERVAL=52;BYDAY=MO;COUNT=3"
    assert neighbour_dates(
        rule_text=yearly_ish, starts_at=start, zone_name="Europe/Berlin", day=date(2031, 1, 6)
    ) == (date(2030, 1, 7), date(2032, 1, 5))
    assert neighbour_dates(
        rule_text=yearly_ish, starts_at=start, zone_name="Europe/Berlin", day=date(2030, 1, 7)
    ) == (None, date(2031, 1, 6))
