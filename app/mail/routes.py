"""Settings → Notifications, one-click unsubscribe (no sign-in), and the admin's mail page."""

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response

from app.core.config import get_settings
from app.core.errors import Invalid
from app.core.security import AdminUser, CurrentUser, SessionDep, csrf_protect
from app.core.transactions import TransactionalRoute
from app.mail import outbox, preferences
from app.mail.schemas import NotificationsForm
from app.mail.unsubscribe import DIGEST, read_token
from app.people.models import User
from app.web.templates import form_error, render

router = APIRouter(route_class=TransactionalRoute, dependencies=[Depends(csrf_protect)])
# RFC 8058: a mail client posts "List-Unsubscribe=One-Click" with no cookie and no CSRF token;
# the signed token in the address is the proof.
unsubscribe_router = APIRouter(route_class=TransactionalRoute)
SETTINGS_PAGE = "mail/settings.html"


def _context(choices: preferences.Choices, errors: dict[str, str] | None = None) -> dict[str, Any]:
    return {
        "choices": choices,
        "kinds": preferences.EMAIL_KINDS,
        "mode_labels": preferences.MODE_LABELS,
        "digest_labels": preferences.DIGEST_LABELS,
        "mail_enabled": get_settings().mail_enabled,
        "errors": errors or {},
    }


@router.get("/settings/notifications")
def settings_page(request: Request, session: SessionDep, user: CurrentUser) -> Response:
    choices = preferences.choices(session, user_id=user.id)  # type: ignore[arg-type]
    return render(request, SETTINGS_PAGE, _context(choices))


@router.post("/settings/notifications")
def save_settings(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    form: Annotated[NotificationsForm, Form()],
) -> Response:
    # Only what the form names changes: a form without a field leaves that choice as it was.
    digest, email = form.digest, form.email()
    current = preferences.choices(session, user_id=user.id)  # type: ignore[arg-type]
    try:
        preferences.update_choices(session, user_id=user.id, digest=digest, email=email)  # type: ignore[arg-type]
    except Invalid as exc:
        return _settings_refused(request, session, exc, current, digest, email)
    return RedirectResponse("/settings/notifications?saved=1", status_code=303)


def _settings_refused(
    request: Request,
    session: SessionDep,
    exc: Invalid,
    current: preferences.Choices,
    digest: str | None,
    email: dict[str, str],
) -> Response:
    """The form again: the choices sent, over the stored ones for what the form left out."""
    shown = preferences.Choices(digest=digest or current.digest, email={**current.email, **email})
    return form_error(request, session, SETTINGS_PAGE, exc, _context(shown), field=exc.field or "")


def _unsubscribed_from(session: SessionDep, token: str) -> tuple[User, str] | None:
    found = read_token(token)
    if found is None or (found.kind != DIGEST and found.kind not in preferences.EMAIL_KINDS):
        return None
    person = session.get(User, found.user_id)
    return (person, found.kind) if person is not None else None


def _label(kind: str) -> str:
    return preferences.DIGEST_LABEL if kind == DIGEST else preferences.EMAIL_KINDS[kind][0]


@unsubscribe_router.get("/unsubscribe/{token}")
def unsubscribe_page(request: Request, session: SessionDep, token: str) -> Response:
    found = _unsubscribed_from(session, token)
    if found is None:
        return render(request, "mail/unsubscribe.html", {"invalid": True}, status_code=404)
    return render(request, "mail/unsubscribe.html", {"token": token, "label": _label(found[1])})


@unsubscribe_router.post("/unsubscribe/{token}")
def unsubscribe(request: Request, session: SessionDep, token: str) -> Response:
    found = _unsubscribed_from(session, token)
    if found is None:
        return render(request, "mail/unsubscribe.html", {"invalid": True}, status_code=404)
    person, kind = found
    if kind == DIGEST:
        preferences.update_choices(session, user_id=person.id, digest="off")  # type: ignore[arg-type]
    else:
        preferences.update_choices(session, user_id=person.id, email={kind: "off"})  # type: ignore[arg-type]
    return render(request, "mail/unsubscribe.html", {"done": True, "label": _label(kind)})


@router.get("/admin/mail")
def admin_mail(request: Request, session: SessionDep, admin: AdminUser) -> Response:
    return render(
        request,
        "mail/admin.html",
        {
            "mail_enabled": get_settings().mail_enabled,
            "waiting": outbox.waiting_count(session),
            "parked": outbox.parked_messages(session),
        },
    )
