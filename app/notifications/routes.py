"""The notification list and its unread badge."""

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response

from app.core.security import CurrentUser, SessionDep, csrf_protect
from app.core.transactions import TransactionalRoute
from app.notifications import service
from app.web.templates import is_htmx, render

router = APIRouter(route_class=TransactionalRoute, dependencies=[Depends(csrf_protect)])


@router.get("/notifications")
def notifications(
    request: Request, session: SessionDep, user: CurrentUser, cursor: str | None = None
) -> Response:
    page = service.list_notifications(session, user=user, cursor=cursor)
    context = {"page": page, "unread": service.unread_count(session, user=user)}
    if cursor:
        return render(
            request,
            "notifications/list.html",
            context,
            block="notification_items" if is_htmx(request) else None,
        )
    return render(request, "notifications/list.html", context)


@router.post("/notifications/read")
def mark_read(session: SessionDep, user: CurrentUser) -> Response:
    service.mark_all_read(session, user=user)
    return RedirectResponse("/notifications", status_code=303)


@router.get("/notifications/badge")
def badge(request: Request, session: SessionDep, user: CurrentUser) -> Response:
    return render(
        request, "notifications/badge.html", {"unread": service.unread_count(session, user=user)}
    )
