"""The notifications moderation causes (flags and moderators' decisions), worded.

Stored in English and shown in the reader's language from the parameters stored with them
(titles and notes stay as written); see app/notifications. Content notices come in a post and a
comment wording (`<outcome>_post`, `<outcome>_comment`).
"""

from app.core.i18n import N_

NOTIFICATIONS = {
    "flag": N_("Something in “%(title)s” was flagged for review"),
    "auto_hidden_post": N_(
        "Your post “%(title)s” is hidden until a moderator has looked at it: "
        "%(count)s people flagged it."
    ),
    "auto_hidden_comment": N_(
        "Your comment on “%(title)s” is hidden until a moderator has looked at it: "
        "%(count)s people flagged it."
    ),
    "hidden_post": N_("A moderator hid your post “%(title)s”: %(note)s"),
    "hidden_comment": N_("A moderator hid your comment on “%(title)s”: %(note)s"),
    "warned_post": N_("A moderator asks you to look at your post “%(title)s” again: %(note)s"),
    "warned_comment": N_(
        "A moderator asks you to look at your comment on “%(title)s” again: %(note)s"
    ),
    "visible_post": N_("Your post “%(title)s” is visible again."),
    "visible_comment": N_("Your comment on “%(title)s” is visible again."),
}
