"""The admins' pages about people: the list, invitations, roles, deactivation, audit log."""

from functools import partial
from typing import Annotated, Any

from fastapi import APIRouter, Depends, File, Form, Query, Request, UploadFile
from fastapi.responses import RedirectResponse, Response
from sqlmodel import Session

from app.core.config import get_settings
from app.core.errors import Invalid
from app.core.i18n import N_, gettext
from app.core.ids import Id
from app.core.security import AdminUser, SessionDep, csrf_protect
from app.core.transactions import TransactionalRoute
from app.people import audit, avatars, erasure, import_batches, service
from app.people.admin import service as admin
from app.people.importing import ImportReport, check_people_csv, import_people_csv
from app.people.models import PeopleImport, User
from app.people.resets import service as resets
from app.people.schemas import EraseForm, InviteForm
from app.people.sealing import unseal
from app.web.templates import form_error, is_htmx, render

# Erasure cannot be undone: the admin types the person's address to show it is the right one.
CONFIRM_BY_EMAIL = N_("Type the person's email address to confirm.")
router = APIRouter(route_class=TransactionalRoute, dependencies=[Depends(csrf_protect)])


def _people_page(
    request: Request,
    session: Session,
    *,
    search: str = "",
    cursor: str | None = None,
    status_code: int = 200,
    **context: object,
) -> Response:
    values = _people_context(session, search=search, cursor=cursor, **context)
    return render(request, "people/admin.html", values, status_code=status_code)


def _people_context(
    session: Session, *, search: str = "", cursor: str | None = None, **context: object
) -> dict[str, Any]:
    page = admin.list_people(session, search=search, cursor=cursor)
    return {"page": page, "search": search, **context}


@router.get("/admin/people")
def admin_people(
    request: Request,
    session: SessionDep,
    _admin: AdminUser,
    q: Annotated[str, Query(max_length=100)] = "",
    cursor: str | None = None,
) -> Response:
    return _people_page(
        request, session, search=q, cursor=cursor, erased=request.query_params.get("erased")
    )


@router.post("/admin/people/invite")
def admin_invite(
    request: Request,
    session: SessionDep,
    admin_user: AdminUser,
    form: Annotated[InviteForm, Form()],
) -> Response:
    try:
        _user, token = service.invite_user(
            session, email=form.email, display_name=form.display_name, invited_by=admin_user
        )
    except Invalid as exc:
        context = partial(_people_context, session, form=form.shown())
        return form_error(request, session, "people/admin.html", exc, context)
    return _people_page(request, session, **_invitation(token))


def _invitation(token: str) -> dict[str, Any]:
    """The link to hand over (or, with mail, that it was sent) on the people page."""
    settings = get_settings()
    link = f"{settings.base_url.rstrip('/')}/invite/{token}"
    return {"invite_link": link, "invite_emailed": settings.mail_enabled}


@router.post("/admin/people/{person_id}/reset-link")
def admin_reset_link(
    request: Request, session: SessionDep, admin_user: AdminUser, person_id: Id
) -> Response:
    """The copy-a-link path: a one-time link for the admin to hand over (sites without mail)."""
    person = service.active_user(session, person_id)
    try:
        token = resets.create_reset(session, user=person, created_by=admin_user)
    except Invalid as exc:
        context = partial(_people_context, session, error=exc.text())
        return form_error(request, session, "people/admin.html", exc, context)
    return _people_page(request, session, **_reset_link(person, token))


def _reset_link(person: User, token: str) -> dict[str, Any]:
    """The one-time link on the people page, whose it is and how long it works."""
    settings = get_settings()
    link = f"{settings.base_url.rstrip('/')}/reset/{token}"
    return {
        "reset_link": link,
        "reset_person": person,
        "reset_minutes": settings.password_reset_minutes,
    }


@router.post("/admin/people/{person_id}/admin")
def admin_set_admin(
    session: SessionDep,
    admin_user: AdminUser,
    person_id: Id,
    make_admin: Annotated[bool, Form()] = False,
) -> Response:
    person = service.active_user(session, person_id)
    admin.set_admin(session, user=person, admin=make_admin, actor=admin_user)
    return RedirectResponse("/admin/people", status_code=303)


@router.post("/admin/people/{person_id}/active")
def admin_set_active(
    session: SessionDep,
    admin_user: AdminUser,
    person_id: Id,
    active: Annotated[bool, Form()] = False,
) -> Response:
    person = service.active_user(session, person_id)
    service.set_active(session, user=person, active=active, actor=admin_user)
    return RedirectResponse("/admin/people", status_code=303)


def _erase_context(person: object, error: str = "") -> dict[str, Any]:
    return {"person": person, "error": error, "placeholder": erasure.erased_name()}


@router.get("/admin/people/{person_id}/erase")
def admin_erase_form(
    request: Request, session: SessionDep, _admin: AdminUser, person_id: Id
) -> Response:
    """The confirmation: exactly what goes, what stays without a name, and what is kept."""
    context = _erase_context(service.active_user(session, person_id))
    return render(request, "people/erase.html", context)


@router.post("/admin/people/{person_id}/erase")
def admin_erase(
    request: Request,
    session: SessionDep,
    admin_user: AdminUser,
    person_id: Id,
    form: Annotated[EraseForm, Form()],
) -> Response:
    person = service.active_user(session, person_id)
    try:
        _erase_confirmed(session, person, form, admin_user)
    except Invalid as exc:
        context = partial(_erase_refused, session, person_id, exc.text())
        return form_error(request, session, "people/erase.html", exc, context)
    return RedirectResponse("/admin/people?erased=1", status_code=303)


def _erase_confirmed(session: Session, person: User, form: EraseForm, admin_user: User) -> None:
    """Erase the person once the admin typed their address (an erasure cannot be undone)."""
    if form.confirm_email.strip().lower() != person.email:
        raise Invalid(CONFIRM_BY_EMAIL, field="confirm_email")
    erasure.erase_person(session, user=person, content=form.content, actor=admin_user)  # type: ignore[arg-type]


def _erase_refused(session: Session, person_id: int, error: str) -> dict[str, Any]:
    return _erase_context(service.active_user(session, person_id), error)


@router.post("/admin/people/{person_id}/avatar/delete")
def admin_remove_avatar(session: SessionDep, admin_user: AdminUser, person_id: Id) -> Response:
    """An unsuitable picture goes at once; the person is back to their initials."""
    person = service.active_user(session, person_id)
    avatars.remove_avatar(session, user=person, actor=admin_user)
    return RedirectResponse("/admin/people", status_code=303)


@router.get("/admin/audit")
def admin_audit(
    request: Request,
    session: SessionDep,
    _admin: AdminUser,
    action: Annotated[str, Query(max_length=64)] = "",
    person: Annotated[str, Query(max_length=254)] = "",
    cursor: str | None = None,
) -> Response:
    page = audit.audit_log(session, action=action, person=person, cursor=cursor)
    context = {"page": page, "action": action, "person": person}
    return render(request, "people/audit.html", {**context, "action_groups": audit.ACTION_GROUPS})


MAX_IMPORT_BYTES = 1_000_000


def _import_page(
    request: Request, text: str, report: ImportReport, status_code: int = 200
) -> Response:
    settings = get_settings()
    return render(
        request,
        "people/import.html",
        {
            "text": text,
            "report": report,
            "invite_base": f"{settings.base_url.rstrip('/')}/invite/",
            "invitation_days": settings.invitation_days,
        },
        status_code=status_code,
    )


@router.post("/admin/people/import")
def admin_import_preview(
    request: Request,
    session: SessionDep,
    _admin: AdminUser,
    file: Annotated[UploadFile, File()],
) -> Response:
    """Step one: the file's lines as they would be imported, with each line's errors."""
    raw = file.file.read(MAX_IMPORT_BYTES + 1)
    if len(raw) > MAX_IMPORT_BYTES:
        return _import_refused(request, gettext("The file is too large (at most 1 MB)."))
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return _import_refused(request, gettext("Save the file as CSV in UTF-8 and try again."))
    report = check_people_csv(session, text)
    return _import_page(request, text, report, status_code=200 if report.ok else 422)


def _import_refused(request: Request, problem: str) -> Response:
    return _import_page(request, "", ImportReport(lines=[], problems=[problem]), status_code=422)


@router.post("/admin/people/import/confirm")
def admin_import(
    request: Request,
    session: SessionDep,
    admin_user: AdminUser,
    text: Annotated[str, Form(max_length=MAX_IMPORT_BYTES)] = "",
) -> Response:
    """Step two: import the previewed text, all lines or none; a large file in batches."""
    checked = check_people_csv(session, text)
    if checked.ok and len(checked.new) > import_batches.SMALL_IMPORT:
        return _in_batches(session, text, len(checked.new), admin_user)
    report = import_people_csv(session, text)
    if not report.ok:
        session.rollback()  # all lines or none
        return _import_page(request, text, report, status_code=422)
    return _import_page(request, "", report)


def _in_batches(session: Session, text: str, new_people: int, admin_user: User) -> Response:
    """A large file is imported batch by batch, its progress on a page of its own."""
    job = import_batches.start_import(session, text=text, new_people=new_people, admin=admin_user)
    return RedirectResponse(f"/admin/people/import/{job.id}", status_code=303)


def _progress_page(request: Request, job: PeopleImport) -> Response:
    invitations = (
        [(line, email, unseal(sealed)) for line, email, sealed in job.invitations]
        if job.finished_at
        else []
    )
    settings = get_settings()
    return render(
        request,
        "people/import_progress.html",
        {
            "job": job,
            "percent": 100 * job.done // job.total if job.total else 100,
            "invitations": invitations,
            "invite_base": f"{settings.base_url.rstrip('/')}/invite/",
            "emailed": settings.mail_enabled,
        },
    )


@router.get("/admin/people/import/{import_id}")
def admin_import_progress(
    request: Request, session: SessionDep, _admin: AdminUser, import_id: Id
) -> Response:
    """How far a large import got (the page, or its htmx fragment)."""
    return _progress_page(request, import_batches.import_of(session, import_id))


@router.post("/admin/people/import/{import_id}/next")
def admin_import_next(
    request: Request, session: SessionDep, _admin: AdminUser, import_id: Id
) -> Response:
    """The next batch: asked by the progress bar while it runs, or by hand without JavaScript."""
    job = import_batches.import_next_batch(session, import_id=import_id)
    if not is_htmx(request):
        return RedirectResponse(f"/admin/people/import/{import_id}", status_code=303)
    return _progress_page(request, job)
