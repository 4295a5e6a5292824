"""Home: the reader's stream with its thanks, their spaces, and what each domain adds beside it
(gathered in app/home/page.py)."""

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from app.core.security import CurrentUser, SessionDep, csrf_protect
from app.core.transactions import TransactionalRoute
from app.home.page import later_page, whole_page
from app.web.templates import is_htmx, render

router = APIRouter(route_class=TransactionalRoute, dependencies=[Depends(csrf_protect)])


@router.get("/")
def home(
    request: Request, session: SessionDep, user: CurrentUser, cursor: str | None = None
) -> Response:
    if cursor:
        context = later_page(session, user=user, cursor=cursor)
        block = "stream_items" if is_htmx(request) else None
        return render(request, "posts/home.html", context, block=block)
    return render(request, "posts/home.html", whole_page(session, user=user, cursor=cursor))
