"""The notification scheduled posts cause, worded.

Stored in English and shown in the reader's language from the parameters stored with them
(titles stay as written); see app/notifications.
"""

from app.core.i18n import N_

NOTIFICATIONS = {
    "scheduled_published": N_("Your scheduled post “%(title)s” is now published"),
}
