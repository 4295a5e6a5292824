"""The newcomer's checklist and the visibility explainer."""

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response

from app.core.errors import NotFound
from app.core.security import CurrentUser, SessionDep, csrf_protect
from app.core.transactions import TransactionalRoute
from app.onboarding import service as onboarding
from app.spaces.access import space_access_by_slug
from app.spaces.newcomers import suggested_spaces
from app.spaces.service import join_space, member_count
from app.web.templates import is_htmx, render

router = APIRouter(route_class=TransactionalRoute, dependencies=[Depends(csrf_protect)])


@router.get("/welcome")
def welcome(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    joined: str | None = None,
) -> Response:
    checklist = onboarding.checklist(session, user=user)
    context = {
        "checklist": checklist,
        "suggestions": suggested_spaces(session, user=user),
        "joined_name": _joined_name(session, user, joined),
    }
    return render(request, "onboarding/welcome.html", context)


@router.post("/welcome/spaces/{slug}/join")
def welcome_join(request: Request, session: SessionDep, user: CurrentUser, slug: str) -> Response:
    """Join a suggested space: htmx swaps its entry to "Joined"; without JS, back to the page."""
    access = space_access_by_slug(session, user, slug)
    membership = join_space(session, access=access)
    if not is_htmx(request):
        return RedirectResponse(f"/welcome?joined={slug}", status_code=303)
    count = member_count(session, access.space.id)
    context = {"space": access.space, "count": count, "joined": membership.state}
    return render(request, "onboarding/_suggested_space.html", context)


def _joined_name(session: SessionDep, user: CurrentUser, slug: str | None) -> str | None:
    if not slug:
        return None
    try:
        access = space_access_by_slug(session, user, slug)
    except NotFound:
        return None
    return access.space.name if access.is_member else None


@router.post("/welcome/dismiss")
def dismiss(session: SessionDep, user: CurrentUser) -> Response:
    onboarding.dismiss_checklist(session, user=user)
    return RedirectResponse("/", status_code=303)


@router.get("/about/visibility")
def visibility(request: Request, session: SessionDep, user: CurrentUser) -> Response:
    onboarding.mark_visibility_seen(session, user=user)
    spaces = onboarding.my_spaces_by_visibility(session, user=user)
    return render(request, "onboarding/visibility.html", {"my_spaces": spaces})
