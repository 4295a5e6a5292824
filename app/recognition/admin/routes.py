"""The admin's recognition page: leaders, site settings, custom badges given by hand."""

from functools import partial
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response

from app.core.errors import DomainError, Invalid, NotFound
from app.core.forms import FormInput
from app.core.ids import Id
from app.core.security import AdminUser, SessionDep, csrf_protect
from app.core.transactions import TransactionalRoute
from app.people.models import User
from app.people.service import user_by_email
from app.recognition import custom_badges, service
from app.recognition.schemas import AwardForm, BadgeForm, LeaderForm, SettingsForm
from app.web.templates import form_error, render

router = APIRouter(
    route_class=TransactionalRoute,
    prefix="/admin/recognition",
    dependencies=[Depends(csrf_protect)],
)
PAGE = "/admin/recognition"
PAGE_TEMPLATE = "recognition/admin.html"


def _context(session: SessionDep, **extra: Any) -> dict[str, Any]:
    badges = custom_badges.all_badges(session)
    return {
        "leaders": service.leaders(session),
        "settings": service.site_settings(session),
        "badges": badges,
        "custom_badges": [b for b in badges if b.rule is None],
        "awards": custom_badges.manual_awards(session),
        "typed": {},
        **extra,
    }


def _failed(
    request: Request, session: SessionDep, failed: str, form: FormInput, exc: DomainError
) -> Response:
    """The page again with the message and what was typed in the form that failed; nothing of
    it is saved. A person or space that does not exist is a mistake in the form here (422),
    not a missing page."""
    field = f"{failed}.{exc.field or 'form'}"
    context = partial(_context, session, failed=failed, typed=form.shown())
    if isinstance(exc, NotFound | Invalid):
        return form_error(request, session, PAGE_TEMPLATE, exc, context, field=field)
    session.rollback()
    errors = {field: exc.text()}
    return render(request, PAGE_TEMPLATE, context(errors=errors), status_code=exc.status_code)


@router.get("")
def admin_page(request: Request, session: SessionDep, admin: AdminUser) -> Response:
    return render(request, PAGE_TEMPLATE, _context(session))


@router.post("/leaders")
def mark_leader(
    request: Request, session: SessionDep, admin: AdminUser, form: Annotated[LeaderForm, Form()]
) -> Response:
    try:
        person = user_by_email(session, form.email)
        service.set_leader(
            session, actor=admin, person=person, is_leader=form.is_leader, title=form.title
        )
    except DomainError as exc:
        exc.field = exc.field or "email"
        return _failed(request, session, "leader", form, exc)
    return RedirectResponse(PAGE, status_code=303)


@router.post("/settings")
def save_settings(
    request: Request, session: SessionDep, admin: AdminUser, form: Annotated[SettingsForm, Form()]
) -> Response:
    try:
        service.update_site_settings(
            session,
            actor=admin,
            early_adopter_count=form.early_adopter_count,
            kudos_monthly_budget=form.kudos_monthly_budget,
            thank_you_wall=form.thank_you_wall,
        )
    except DomainError as exc:
        return _failed(request, session, "settings", form, exc)
    return RedirectResponse(PAGE, status_code=303)


@router.post("/badges")
def create_badge(
    request: Request, session: SessionDep, admin: AdminUser, form: Annotated[BadgeForm, Form()]
) -> Response:
    try:
        custom_badges.create_badge(
            session,
            actor=admin,
            name=form.name,
            description=form.description,
            icon=form.icon,
            level=form.level,
        )
    except DomainError as exc:
        return _failed(request, session, "badge", form, exc)
    return RedirectResponse(PAGE, status_code=303)


@router.post("/awards")
def award_badge(
    request: Request, session: SessionDep, admin: AdminUser, form: Annotated[AwardForm, Form()]
) -> Response:
    try:
        _award(session, admin, form)
    except DomainError as exc:
        exc.field = exc.field or "email"
        return _failed(request, session, "award", form, exc)
    return RedirectResponse(PAGE, status_code=303)


def _award(session: SessionDep, admin: User, form: AwardForm) -> None:
    """The badge for the person of this address, in a space or for the whole site."""
    person = user_by_email(session, form.email)
    custom_badges.award_badge(
        session,
        actor=admin,
        badge_id=form.badge_id,
        person=person,
        reason=form.reason,
        space_id=custom_badges.award_space_id(session, form.space),
    )


@router.post("/awards/{award_id}/revoke")
def revoke_award(session: SessionDep, admin: AdminUser, award_id: Id) -> Response:
    custom_badges.revoke_award(session, actor=admin, award_id=award_id)
    return RedirectResponse(PAGE, status_code=303)
