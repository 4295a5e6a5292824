"""Post a protocol's decisions and action items to its space stream; print and export views."""

from sqlmodel import Session, col, select

from app.core.i18n import gettext
from app.people.models import User
from app.posts.markdown import mentioned_handles, render_markdown
from app.posts.models import Post
from app.posts.service import create_post
from app.protocols.actions import parse_action_items, parse_decisions
from app.protocols.service import load_protocol


def summary_markdown(title: str, text: str, protocol_id: int) -> str:
    """The summary post's text, in the language of the person who posts it."""
    decisions = parse_decisions(text)
    items = parse_action_items(text)
    # gettext() outside f-strings, where message extraction finds it.
    none = ["- " + gettext("(none)")]
    link = f"[{title}](/protocols/{protocol_id})"
    lines = [gettext("Summary of the protocol %(link)s.", link=link), ""]
    lines += ["**" + gettext("Decisions") + "**", ""] + ([f"- {d}" for d in decisions] or none)
    lines += ["", "**" + gettext("Action items") + "**", ""]
    lines += [f"- [{'x' if i.done else ' '}] {i.text}" for i in items] or none
    return "\n".join(lines)


def post_summary(session: Session, *, user: User, protocol_id: int) -> Post:
    """A post in the protocol's space (the author needs write rights there, as for any post)."""
    view = load_protocol(session, user=user, protocol_id=protocol_id)
    protocol = view.protocol
    body = summary_markdown(protocol.title, protocol.text, protocol_id)
    title = gettext("Protocol: %(title)s", title=protocol.title)[:200]
    return create_post(session, access=view.access, title=title, body=body)


def render_protocol(session: Session, text: str) -> str:
    """Sanitised HTML of the Markdown, with @mentions of real people linked."""
    handles = mentioned_handles(text)
    known: set[str] = set()
    if handles:
        known = set(session.exec(select(User.handle).where(col(User.handle).in_(handles))).all())
    return render_markdown(text, known_handles=known)
