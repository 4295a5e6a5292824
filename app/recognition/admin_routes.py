"""The admin's recognition page: leaders, site settings, custom badges given by hand."""

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response
from sqlmodel import select

from app.core.ids import Id, IdForm
from app.errors import DomainError, Invalid, NotFound
from app.people.service import user_by_email
from app.recognition import custom_badges, service
from app.security import AdminUser, SessionDep, csrf_protect
from app.spaces.models import Space
from app.transactions import TransactionalRoute
from app.web import render

router = APIRouter(
    route_class=TransactionalRoute,
    prefix="/admin/recognition",
    dependencies=[Depends(csrf_protect)],
)
PAGE = "/admin/recognition"


def _context(session: SessionDep, **extra: Any) -> dict[str, Any]:
    badges = custom_badges.all_badges(session)
    return {
        "leaders": service.leaders(session),
        "settings": service.site_settings(session),
        "badges": badges,
        "custom_badges": [b for b in badges if b.rule is None],
        "awards": custom_badges.manual_awards(session),
        **extra,
    }


def _failed(request: Request, session: SessionDep, form: str, exc: DomainError) -> Response:
    """Re-render the page with the message beside the form that failed; nothing was saved."""
    session.rollback()
    context = _context(session, errors={f"{form}.{exc.field or 'form'}": exc.text()}, failed=form)
    # A person or space that does not exist is a mistake in the form here, not a missing page.
    status = 422 if isinstance(exc, NotFound) else exc.status_code
    return render(request, "recognition/admin.html", context, status_code=status)


@router.get("")
def admin_page(request: Request, session: SessionDep, admin: AdminUser) -> Response:
    return render(request, "recognition/admin.html", _context(session))


@router.post("/leaders")
def mark_leader(
    request: Request,
    session: SessionDep,
    admin: AdminUser,
    email: Annotated[str, Form()] = "",
    title: Annotated[str, Form()] = "",
    is_leader: Annotated[bool, Form()] = True,
) -> Response:
    try:
        person = user_by_email(session, email)
        service.set_leader(session, actor=admin, person=person, is_leader=is_leader, title=title)
    except DomainError as exc:
        if exc.field is None:
            exc.field = "email"
        return _failed(request, session, "leader", exc)
    return RedirectResponse(PAGE, status_code=303)


@router.post("/settings")
def save_settings(
    request: Request,
    session: SessionDep,
    admin: AdminUser,
    early_adopter_count: Annotated[int, Form(ge=1, le=1000)] = 10,
    kudos_monthly_budget: Annotated[int, Form(ge=1, le=1000)] = 20,
    thank_you_wall: Annotated[bool, Form()] = False,
) -> Response:
    try:
        service.update_site_settings(
            session,
            actor=admin,
            early_adopter_count=early_adopter_count,
            kudos_monthly_budget=kudos_monthly_budget,
            thank_you_wall=thank_you_wall,
        )
    except DomainError as exc:
        return _failed(request, session, "settings", exc)
    return RedirectResponse(PAGE, status_code=303)


@router.post("/badges")
def create_badge(
    request: Request,
    session: SessionDep,
    admin: AdminUser,
    name: Annotated[str, Form()] = "",
    description: Annotated[str, Form()] = "",
    icon: Annotated[str, Form()] = "🏅",
    level: Annotated[str, Form()] = "bronze",
) -> Response:
    try:
        custom_badges.create_badge(
            session, actor=admin, name=name, description=description, icon=icon, level=level
        )
    except DomainError as exc:
        return _failed(request, session, "badge", exc)
    return RedirectResponse(PAGE, status_code=303)


@router.post("/awards")
def award_badge(
    request: Request,
    session: SessionDep,
    admin: AdminUser,
    badge_id: IdForm,
    email: Annotated[str, Form()] = "",
    reason: Annotated[str, Form()] = "",
    space: Annotated[str, Form()] = "",
) -> Response:
    try:
        person = user_by_email(session, email)
        space_id = None
        if space.strip():
            space_id = session.exec(select(Space.id).where(Space.slug == space.strip())).first()
            if space_id is None:
                raise Invalid("Space not found", field="space")
        custom_badges.award_badge(
            session, actor=admin, badge_id=badge_id, person=person, reason=reason, space_id=space_id
        )
    except DomainError as exc:
        if exc.field is None:
            exc.field = "email"
        return _failed(request, session, "award", exc)
    return RedirectResponse(PAGE, status_code=303)


@router.post("/awards/{award_id}/revoke")
def revoke_award(session: SessionDep, admin: AdminUser, award_id: Id) -> Response:
    custom_badges.revoke_award(session, actor=admin, award_id=award_id)
    return RedirectResponse(PAGE, status_code=303)
