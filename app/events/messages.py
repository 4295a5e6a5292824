"""The notifications events and meetups cause, worded.

Stored in English and shown in the reader's language; a day of a series is stored as data
(`day`, an ISO date) and an occurrence's time as `starts_at`, `ends_at` and `zone`, worded when
shown (app/notifications, with app/events/text.py).
"""

from app.core.i18n import N_

NOTIFICATIONS = {
    "event_changed": N_("“%(title)s” changed: please check the new time and place"),
    "event_cancelled": N_("“%(title)s” was cancelled"),
    "event_day_cancelled": N_("“%(title)s” on %(day)s was cancelled"),
    "event_day_changed": N_("“%(title)s” on %(day)s changed: %(when)s"),
    "event_followup": N_(
        "Thanks for coming to “%(title)s”: continue in the discussion and read the protocol"
    ),
    "event_recap": N_("“%(title)s” is over: post a recap in one click"),
    "event_promoted": N_("A place opened up: you are now going to “%(title)s”"),
    "date_poll_invited": N_(
        "The date for “%(title)s” is set: you said “if need be”, are you coming?"
    ),
    "date_poll_going": N_("The date for “%(title)s” is set: you are going"),
    "date_poll_waitlisted": N_(
        "The date for “%(title)s” is set: it is full, you are on the waiting list"
    ),
}
