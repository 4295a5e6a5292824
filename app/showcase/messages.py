"""The notifications the showcase causes (a post featured, a suggestion), worded.

Stored in English and shown in the reader's language from the parameters stored with them
(titles stay as written); see app/notifications.
"""

from app.core.i18n import N_

NOTIFICATIONS = {
    "showcase": N_("Your post “%(title)s” is now in the showcase"),
    "showcase_suggestion": N_("%(name)s suggests “%(title)s” for the showcase"),
}
