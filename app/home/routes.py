"""Home: the reader's stream with its thanks, their spaces, and what each domain adds beside it."""

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from app.core.security import CurrentUser, SessionDep, csrf_protect
from app.core.transactions import TransactionalRoute
from app.events.views import upcoming_for_home
from app.home.community import home_extras
from app.posts import streams
from app.recognition import service as recognition
from app.recognition.panels import home_panel
from app.recognition.stream import home_stream_with_thanks
from app.spaces.service import my_spaces
from app.web.templates import is_htmx, render

router = APIRouter(route_class=TransactionalRoute, dependencies=[Depends(csrf_protect)])


@router.get("/")
def home(
    request: Request, session: SessionDep, user: CurrentUser, cursor: str | None = None
) -> Response:
    page, stream = home_stream_with_thanks(
        session,
        user=user,
        posts_page=lambda after: streams.home_stream(session, user=user, cursor=after),
        cursor=cursor,
    )
    if cursor:
        recognition.attach_marks(session, page.items)
        return render(
            request,
            "posts/home.html",
            {"page": page, "stream": stream},
            block="stream_items" if is_htmx(request) else None,
        )
    return render(
        request,
        "posts/home.html",
        {
            "page": page,
            "stream": stream,
            "my_spaces": my_spaces(session, user=user),
            "recognition": home_panel(session, user=user, cards=page.items),
            "upcoming_events": upcoming_for_home(session, user=user),
            "news_since": streams.news_since(),
            **home_extras(session, user=user),
        },
    )
