"""The newcomer's checklist, the visibility explainer and "what Agora stores about me"."""

import json

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response

from app.community import onboarding
from app.security import CurrentUser, SessionDep, csrf_protect
from app.transactions import TransactionalRoute
from app.web import render

router = APIRouter(route_class=TransactionalRoute, dependencies=[Depends(csrf_protect)])


@router.get("/welcome")
def welcome(request: Request, session: SessionDep, user: CurrentUser) -> Response:
    checklist = onboarding.checklist(session, user=user)
    return render(request, "community/welcome.html", {"checklist": checklist})


@router.post("/welcome/dismiss")
def dismiss(session: SessionDep, user: CurrentUser) -> Response:
    onboarding.dismiss_checklist(session, user=user)
    return RedirectResponse("/", status_code=303)


@router.get("/about/visibility")
def visibility(request: Request, session: SessionDep, user: CurrentUser) -> Response:
    onboarding.mark_visibility_seen(session, user=user)
    spaces = onboarding.my_spaces_by_visibility(session, user=user)
    return render(request, "community/visibility.html", {"my_spaces": spaces})


@router.get("/me/data")
def my_data(request: Request, session: SessionDep, user: CurrentUser) -> Response:
    summary = onboarding.data_summary(session, user=user)
    return render(request, "community/my_data.html", {"summary": summary, "me": user})


@router.get("/me/data.json")
def my_data_export(session: SessionDep, user: CurrentUser) -> Response:
    data = onboarding.export_my_data(session, user=user)
    return Response(
        json.dumps(data, ensure_ascii=False, indent=2),
        media_type="application/json",
        headers={
            "content-disposition": f'attachment; filename="agora-my-data-{user.handle}.json"',
            "cache-control": "no-store",
        },
    )
