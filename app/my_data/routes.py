"""The "what Agora stores about me" page and its JSON download."""

import json

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from app.core.security import CurrentUser, SessionDep, csrf_protect
from app.core.transactions import TransactionalRoute
from app.my_data import service
from app.web.templates import render

router = APIRouter(route_class=TransactionalRoute, dependencies=[Depends(csrf_protect)])


@router.get("/me/data")
def my_data(request: Request, session: SessionDep, user: CurrentUser) -> Response:
    summary = service.data_summary(session, user=user)
    return render(request, "my_data/my_data.html", {"summary": summary, "me": user})


@router.get("/me/data.json")
def my_data_export(session: SessionDep, user: CurrentUser) -> Response:
    data = service.export_my_data(session, user=user)
    return Response(
        json.dumps(data, ensure_ascii=False, indent=2),
        media_type="application/json",
        headers={
            "content-disposition": f'attachment; filename="agora-my-data-{user.handle}.json"',
            "cache-control": "no-store",
        },
    )
