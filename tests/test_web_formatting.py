"""The remembered time texts say exactly what Babel says for every time and language."""

import random
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from babel.dates import format_datetime, format_timedelta

from app.core.i18n import set_locale
from app.web import templates as web

NOW = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)


@pytest.fixture
def frozen(monkeypatch):
    monkeypatch.setattr(web, "utcnow", lambda: NOW)
    web._ago_texts.clear()
    yield
    set_locale("en")


def _deltas() -> list[timedelta]:
    rng = random.Random(7)
    edges = [0, 1, 44, 45, 59, 60, 89, 90, 3000, 3060, 3600, 86400 * 0.85, 86400 * 6.4]
    edges += [86400 * 26, 86400 * 29.9, 86400 * 310, 86400 * 320, 86400 * 400, 86400 * 800]
    spread = [10 ** rng.uniform(0, 8.5) for _ in range(3000)]
    return [timedelta(seconds=s * sign) for s in edges + spread for sign in (1, -1)]


@pytest.mark.parametrize("locale", ["en", "de"])
def test_relative_times_match_babel_for_every_delta(frozen, locale):
    set_locale(locale)
    for delta in _deltas():
        expected = format_timedelta(delta, add_direction=True, locale=locale)
        assert web.format_ago(NOW + delta) == expected, delta


def test_relative_time_follows_the_reader_language(frozen):
    set_locale("de")
    assert web.format_ago(NOW - timedelta(hours=3)) == "vor 3 Stunden"
    set_locale("en")
    assert web.format_ago(NOW - timedelta(hours=3)) == "3 hours ago"


def test_dates_are_shown_in_the_reader_zone_and_language(frozen):
    moment = datetime(2026, 7, 1, 22, 30, tzinfo=UTC)
    set_locale("de")
    berlin = web.format_when(moment, "short", "Europe/Berlin")
    assert berlin == format_datetime(
        moment.astimezone(ZoneInfo("Europe/Berlin")), format="short", locale="de"
    )
    assert "00:30" in berlin
    set_locale("en")
    # Agora's English is en_GB: the 24-hour clock, day before month (app.core.dates).
    assert "18:30" in web.format_when(moment, "short", "America/New_York")
    assert web.format_when(None) == ""
    assert web.format_ago(None) == ""


@pytest.mark.parametrize(
    ("locale", "style", "expected"),
    [
        ("de", "full_date_time", "Montag, 7. Dezember 2026, 18:00"),
        ("en", "full_date_time", "Monday, 7 December 2026, 18:00"),
        ("de", "day_time", "Mo., 7. Dez. 2026, 18:00"),
        ("de", "day_short_time", "Mo., 7. Dez., 18:00"),
        ("de", "date", "7. Dez. 2026"),
        ("en", "date", "7 Dec 2026"),
        ("de", "time", "18:00"),
    ],
)
def test_named_styles_follow_each_languages_own_layout(locale, style, expected):
    set_locale(locale)
    moment = datetime(2026, 12, 7, 17, 0, tzinfo=UTC)
    assert web.format_when(moment, style, "Europe/Berlin") == expected
