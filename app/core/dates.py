"""Dates and times in each language's own way (Babel's CLDR formats), never a fixed pattern.

A pattern such as "EEEE, d MMMM y" is English word order with German words ("Montag,
7 Dezember 2026"); CLDR knows that German writes "Montag, 7. Dezember 2026". Pages and texts
ask for a style by name and Babel lays it out for the reader's language.
"""

from datetime import date, datetime

from babel.dates import format_date, format_skeleton, format_time, get_datetime_format

# Agora's English is a European company's: day before month and the 24-hour clock (en_GB),
# as its German-speaking colleagues read it, not the American 12-hour clock of Babel's "en".
_BABEL_LOCALES = {"en": "en_GB", "de": "de_DE"}

# style -> (date part: a CLDR width or a skeleton, or None; with the short time)
STYLES: dict[str, tuple[str | None, bool]] = {
    "full_date": ("full", False),  # Montag, 7. Dezember 2026 · Monday, 7 December 2026
    "full_date_time": ("full", True),
    "date": ("yMMMd", False),  # 7. Dez. 2026 · 7 Dec 2026
    "day": ("yMMMEd", False),  # Mo., 7. Dez. 2026 · Mon, 7 Dec 2026
    "day_time": ("yMMMEd", True),
    "day_short": ("MMMEd", False),  # Mo., 7. Dez. · Mon 7 Dec
    "day_short_time": ("MMMEd", True),
    "day_month": ("MMMd", False),  # 7. Dez. · 7 Dec
    "time": (None, True),  # 18:00
}
_WIDTHS = ("full", "long", "medium", "short")


def babel_locale(locale: str) -> str:
    return _BABEL_LOCALES.get(locale, locale)


def format_moment(moment: datetime | date, style: str, locale: str) -> str:
    """A local date or time (already in the reader's or the event's zone) in a named style."""
    date_part, with_time = STYLES[style]
    where = babel_locale(locale)
    time_text = format_time(moment, "short", locale=where) if with_time else ""  # type: ignore[arg-type]
    if date_part is None:
        return time_text
    if date_part in _WIDTHS:
        date_text = format_date(moment, date_part, locale=where)
    else:
        date_text = format_skeleton(date_part, moment, locale=where)
    if not with_time:
        return date_text
    glue = get_datetime_format("medium", locale=where)
    return str(glue).replace("{1}", date_text).replace("{0}", time_text)
