"""The event's discussion post in the space stream, and the organiser's recap post.

The post is created through the posts service (same rules, mentions and notifications as any
post). Its generated header (date, place, going count) is rewritten by the events domain when
the event or its RSVPs change: that is a system summary, not an edit by the author, so it sets
no "edited" mark and sends no mention notifications again.
"""

from zoneinfo import ZoneInfo

from sqlalchemy import update
from sqlmodel import Session, col

from app.core.i18n import gettext, ngettext
from app.events.models import Event
from app.events.occurrences import Occurrence
from app.events.recurrence import describe
from app.events.text import local_text, md_escape, place_text, places_text, when_text
from app.posts.markdown import render_markdown
from app.posts.models import Post
from app.posts.service import create_post
from app.spaces.access import SpaceAccess

MAX_TITLE = 200


def _title(event: Event, occ: Occurrence) -> str:
    if event.rrule:
        when = describe(event.rrule, start=event.starts_at, zone_name=event.timezone)
        when += ", " + local_text(occ.starts_at, event.timezone, "time")
    else:
        when = local_text(occ.starts_at, event.timezone, "day_time")
    place = place_text(event, occ.location if not event.rrule else None)
    tail = f" — {when}" + (f", {place}" if place else "")
    prefix = gettext("Cancelled: ") if event.cancelled_at else ""
    meetup = gettext("Meetup")
    head = f"{prefix}{meetup}: "
    room = MAX_TITLE - len(head) - len(tail)
    title = event.title if len(event.title) <= room else event.title[: max(room - 1, 10)] + "…"
    return (head + title + tail)[:MAX_TITLE]


def _zone(event: Event) -> ZoneInfo:
    return ZoneInfo(event.timezone)


def header_markdown(event: Event, occ: Occurrence, *, going: int, waiting: int) -> str:
    lines = []
    if event.cancelled_at:
        cancelled = gettext("This event was cancelled.")
        lines.append(f"**{cancelled}**")
    label = gettext("Next time") if event.rrule else gettext("When")
    lines.append(f"**{label}:** {when_text(occ.starts_at, occ.ends_at, event.timezone)}")
    if event.rrule:
        rule = describe(event.rrule, start=event.starts_at, zone_name=event.timezone)
        repeats = gettext("Repeats")
        lines.append(f"**{repeats}:** {rule}")
    if occ.location:
        where = gettext("Where")
        lines.append(f"**{where}:** {md_escape(occ.location)}")
    if event.online_url:
        online = gettext("Online")
        lines.append(f"**{online}:** <{event.online_url}>")
    going_text = ngettext("%(num)s going", "%(num)s going", going)
    if event.capacity is not None:
        going_text += ", " + places_text(event.capacity, going)
    if waiting:
        going_text += " · " + ngettext(
            "%(num)s on the waitlist", "%(num)s on the waitlist", waiting
        )
    rsvps = gettext("RSVPs")
    lines.append(f"**{rsvps}:** {going_text}")
    body = "  \n".join(lines)
    link = gettext("Open the event: RSVP, add to calendar, protocol")
    return f"{body}\n\n[{link}](/events/{event.id})"


def _body(event: Event, header: str) -> str:
    if event.description.strip():
        return f"{header}\n\n---\n\n{event.description}"
    return header


def create_discussion_post(
    session: Session, *, access: SpaceAccess, event: Event, occ: Occurrence
) -> Post:
    """The "Meetup: …" post in the space stream; its comments are the event's discussion."""
    header = header_markdown(event, occ, going=0, waiting=0)
    return create_post(session, access=access, title=_title(event, occ), body=_body(event, header))


def sync_discussion_post(
    session: Session, *, event: Event, occ: Occurrence, going: int, waiting: int
) -> None:
    """Rewrite the post's generated title and header; a deleted post stays deleted."""
    if event.discussion_post_id is None:
        return
    header = header_markdown(event, occ, going=going, waiting=waiting)
    html = render_markdown(header)
    if event.description_html:
        html += "\n<hr>\n" + event.description_html
    session.exec(
        update(Post)
        .where(col(Post.id) == event.discussion_post_id, col(Post.deleted_at).is_(None))
        .values(title=_title(event, occ), body=_body(event, header), body_html=html)
    )


def recap_markdown(event: Event, occ: Occurrence, *, attended: int) -> tuple[str, str]:
    """Title and text of the organiser's one-click recap post."""
    recap = gettext("Recap")
    title = f"{recap}: {event.title}"[:MAX_TITLE]
    # Each gettext() stands alone: the extractor (Python 3.11) does not look inside f-strings.
    talked, decided = gettext("What we talked about"), gettext("What we decided")
    next_steps, page = gettext("What comes next"), gettext("Event page, discussion and protocol")
    lines = [
        ngettext(
            "Thanks to the %(num)s person who came to %(title)s on %(when)s!",
            "Thanks to the %(num)s people who came to %(title)s on %(when)s!",
            attended,
            title=md_escape(event.title),
            when=when_text(occ.starts_at, occ.ends_at, event.timezone),
        ),
        "",
        f"- {talked}: …",
        f"- {decided}: …",
        f"- {next_steps}: …",
        "",
        f"[{page}](/events/{event.id}?on={occ.key})",
    ]
    return title, "\n".join(lines)
