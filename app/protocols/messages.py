"""The notifications protocols cause, worded (stored in English, shown in the reader's language;
the protocol's title and the item's text stay as written)."""

from app.core.i18n import N_

NOTIFICATIONS = {
    "action_item": N_("Action item for you in “%(title)s”: %(item)s"),
}
