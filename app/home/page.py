"""What the home page shows: the reader's stream with its thanks, and (on the first page) their
spaces, recognition, the coming events and what the community adds beside it."""

from typing import Any

from sqlmodel import Session

from app.events.views import upcoming_for_home
from app.home.community import home_extras
from app.people.models import User
from app.posts import streams
from app.recognition import service as recognition
from app.recognition.panels import home_panel
from app.recognition.stream import home_stream_with_thanks
from app.spaces.service import my_spaces


def _stream(session: Session, *, user: User, cursor: str | None) -> dict[str, Any]:
    page, stream = home_stream_with_thanks(
        session,
        user=user,
        posts_page=lambda after: streams.home_stream(session, user=user, cursor=after),
        cursor=cursor,
    )
    return {"page": page, "stream": stream}


def later_page(session: Session, *, user: User, cursor: str) -> dict[str, Any]:
    """A later page of the stream ("More posts"): the cards with their authors' marks."""
    context = _stream(session, user=user, cursor=cursor)
    recognition.attach_marks(session, context["page"].items)
    return context


def whole_page(session: Session, *, user: User, cursor: str | None) -> dict[str, Any]:
    """The first page with everything beside the stream (the recognition panel marks the
    cards' authors itself)."""
    context = _stream(session, user=user, cursor=cursor)
    return {
        **context,
        "my_spaces": my_spaces(session, user=user),
        "recognition": home_panel(session, user=user, cards=context["page"].items),
        "upcoming_events": upcoming_for_home(session, user=user),
        "news_since": streams.news_since(),
        **home_extras(session, user=user),
    }
