"""JSON API for "what Agora stores about me": the caller's own data, whole.

Authenticated with a personal access token (``Authorization: Bearer agora_...``); every answer
goes through the same services and access policy as the pages. Errors are ``{"detail": ...}``.
"""

from typing import Any

from fastapi import APIRouter

from app.api.deps import ApiUser
from app.core.security import SessionDep
from app.core.transactions import TransactionalRoute
from app.my_data import service as my_data_service

# Tagged "community" as before the split, so the OpenAPI document stays the same.
router = APIRouter(route_class=TransactionalRoute, tags=["community"])


@router.get("/me/data")
def my_data(session: SessionDep, user: ApiUser) -> dict[str, Any]:
    return my_data_service.export_my_data(session, user=user)
