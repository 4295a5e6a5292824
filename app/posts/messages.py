"""The notifications posts cause, worded (see app/notifications: stored in English, shown in the
reader's language from the actor's name and the post's title)."""

from app.core.i18n import N_

NOTIFICATIONS = {
    "mention": N_("%(name)s mentioned you in “%(title)s”"),
    "comment": N_("%(name)s commented on “%(title)s”"),
    "reply": N_("%(name)s replied to your comment on “%(title)s”"),
}
