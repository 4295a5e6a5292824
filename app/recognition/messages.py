"""The notifications recognition causes, worded: kudos from the giver's name and their own words
(which stay as written), badges from the badge's name."""

from app.core.i18n import N_

NOTIFICATIONS = {
    "kudos": N_("%(name)s gave you kudos: “%(quote)s”"),
    "badge": N_("You received the badge “%(badge)s”"),
}
KUDOS_QUOTE = 200  # characters of the kudos message quoted in the notification
