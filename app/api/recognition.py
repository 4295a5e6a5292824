"""JSON API for recognition: badges, kudos and leaders (bearer-token callers).

Errors are JSON {"detail": ...}; an invalid field answers 422 with FastAPI's list format
({"loc", "msg", "type"}), so clients read service errors like schema errors.
"""

from collections.abc import Callable, Coroutine
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Path, Query, Request, Response
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BaseModel, Field

from app.errors import DomainError, Forbidden, Invalid
from app.people.models import User
from app.people.service import active_user
from app.recognition import kudos as kudos_service
from app.recognition import service
from app.security import SessionDep, user_for_api_token

_bearer = HTTPBearer(auto_error=False)
MAX_ID = 2**31 - 1  # ids are 32-bit on PostgreSQL; larger numbers name nothing


class DomainErrorRoute(APIRoute):
    """Answers a service's DomainError as JSON with its status, in this router's endpoints."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def handle(request: Request) -> Response:
            try:
                return await handler(request)
            except DomainError as exc:
                if isinstance(exc, Invalid):
                    loc = ["body", exc.field] if exc.field else ["body"]
                    detail: Any = [{"loc": loc, "msg": exc.text(), "type": "invalid"}]
                    return JSONResponse({"detail": detail}, status_code=422)
                return JSONResponse({"detail": exc.text()}, status_code=exc.status_code)

        return handle


def api_caller(
    session: SessionDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> User:
    """The person behind the personal access token; anything else is a 401."""
    user = user_for_api_token(session, credentials.credentials) if credentials else None
    if user is None:
        raise HTTPException(
            status_code=401,
            detail="Not authenticated" if credentials is None else "Invalid or revoked token",
            headers={"WWW-Authenticate": "Bearer"},
        )
    return user


Caller = Annotated[User, Depends(api_caller)]
UserId = Annotated[int, Path(ge=1, le=MAX_ID)]
router = APIRouter(route_class=DomainErrorRoute, tags=["recognition"])


class BadgeOut(BaseModel):
    slug: str
    name: str
    icon: str
    level: str
    space: str | None
    reason: str
    granted_at: datetime


class BadgeList(BaseModel):
    items: list[BadgeOut]


class KudosIn(BaseModel):
    to_user_id: int = Field(ge=1, le=MAX_ID)
    message: str = Field(max_length=kudos_service.MAX_MESSAGE)
    post_id: int | None = Field(default=None, ge=1, le=MAX_ID)


class PersonRef(BaseModel):
    id: int
    display_name: str


class TargetOut(BaseModel):
    type: str
    id: int
    # None when the content was deleted or hidden since; the kudos itself stays.
    title: str | None


class KudosOut(BaseModel):
    id: int
    giver: PersonRef
    receiver: PersonRef
    message: str
    target: TargetOut | None
    created_at: datetime


class KudosList(BaseModel):
    items: list[KudosOut]
    next_cursor: str | None


class LeaderIn(BaseModel):
    is_leader: bool
    title: str | None = Field(default=None, max_length=120)


class LeaderOut(BaseModel):
    id: int
    is_leader: bool
    leader_title: str


def _kudos_out(view: kudos_service.KudosView) -> KudosOut:
    k = view.kudos
    target = None
    if k.target_type is not None and k.target_id is not None:
        target = TargetOut(type=k.target_type, id=k.target_id, title=view.target_title)
    return KudosOut(
        id=k.id,
        giver=PersonRef(id=view.giver.id, display_name=view.giver.display_name),
        receiver=PersonRef(id=view.receiver.id, display_name=view.receiver.display_name),
        message=k.message,
        target=target,
        created_at=k.created_at,
    )


@router.get("/users/{user_id}/badges", response_model=BadgeList)
def user_badges(session: SessionDep, caller: Caller, user_id: UserId) -> BadgeList:
    """A person's badges as the caller may see them (hidden ones, unreadable spaces left out)."""
    person = active_user(session, user_id)
    shown = service.badges_for(session, viewer=caller, person=person)
    return BadgeList(
        items=[
            BadgeOut(
                slug=s.badge.slug,
                name=s.badge.name,
                icon=s.badge.icon,
                level=str(s.badge.level),
                space=s.space.slug if s.space else None,
                reason=s.award.reason,
                granted_at=s.award.granted_at,
            )
            for s in shown
        ]
    )


@router.post("/kudos", response_model=KudosOut, status_code=201)
def give_kudos(session: SessionDep, caller: Caller, payload: KudosIn) -> KudosOut:
    """Thank a colleague, optionally for a post the caller can read; counts against the budget."""
    rows = kudos_service.give_kudos(
        session,
        giver=caller,
        receiver_ids=[payload.to_user_id],
        message=payload.message,
        target_type="post" if payload.post_id is not None else None,
        target_id=payload.post_id,
    )
    person = active_user(session, payload.to_user_id)
    view = kudos_service.KudosView(kudos=rows[0], giver=caller, receiver=person, space=None)
    if payload.post_id is not None:
        titles = kudos_service.TARGETS["post"][1](session, [payload.post_id])
        view.target_title = titles.get(payload.post_id, (None, None))[0]
    return _kudos_out(view)


@router.get("/users/{user_id}/kudos", response_model=KudosList)
def user_kudos(
    session: SessionDep,
    caller: Caller,
    user_id: UserId,
    cursor: Annotated[str | None, Query(max_length=200)] = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
) -> KudosList:
    """Kudos a person received; those tied to content the caller cannot read are left out."""
    person = active_user(session, user_id)
    page = kudos_service.kudos_received(
        session, viewer=caller, person=person, cursor=cursor, limit=limit
    )
    return KudosList(items=[_kudos_out(v) for v in page.items], next_cursor=page.next_cursor)


@router.post("/users/{user_id}/leader", response_model=LeaderOut)
def set_leader(
    session: SessionDep, caller: Caller, user_id: UserId, payload: LeaderIn
) -> LeaderOut:
    """Admins only: mark or unmark a leader, with an optional title; audited."""
    if not caller.is_admin:
        raise Forbidden("Only administrators may do that")
    person = active_user(session, user_id)
    service.set_leader(
        session,
        actor=caller,
        person=person,
        is_leader=payload.is_leader,
        title=payload.title or "",
    )
    return LeaderOut(id=person.id, is_leader=person.is_leader, leader_title=person.leader_title)
