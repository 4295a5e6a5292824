"""Form input for posts (app.core.forms)."""

from app.core.forms import FormId, FormInput


class PostForm(FormInput):
    """A post as the edit form sends it; the service checks title, body and publish time."""

    title: str = ""
    body: str = ""
    # Wall time in the author's zone, as a datetime-local field sends it; empty: publish now.
    publish_at: str = ""


class NewPostForm(PostForm):
    """The composer adds the kind of post."""

    kind: str = "discussion"


class CommentForm(FormInput):
    """A comment, a reply or a comment's edit; the service checks the text and the parent."""

    body: str = ""
    # Set by the reply form: the comment this one answers.
    parent_id: FormId | None = None
