"""JSON API for recognition: badges, kudos and leaders.

Visibility is the pages' own: the same service functions decide what a caller may see.
"""

from typing import Annotated

from fastapi import APIRouter, Path
from pydantic import BaseModel, Field, model_validator
from pydantic_core import PydanticCustomError
from sqlmodel import Session

from app.api.deps import ApiUser, Cursor, Limit
from app.api.schemas import TOO_MANY, ApiDateTime, AuthorOut, Input, author_out
from app.core.errors import Forbidden
from app.core.ids import MAX_ID
from app.core.security import SessionDep
from app.core.transactions import TransactionalRoute
from app.people.models import User
from app.people.service import active_user
from app.recognition import kudos as kudos_service
from app.recognition import service
from app.recognition.models import Kudos
from app.recognition.schemas import Whom

# Paths say {id}, as the API is documented; Python code says user_id.
UserId = Annotated[int, Path(alias="id", ge=1, le=MAX_ID, description="The person's id")]
router = APIRouter(route_class=TransactionalRoute, tags=["recognition"])


class BadgeOut(BaseModel):
    slug: str
    name: str
    icon: str
    level: str
    space: str | None = Field(description="The space's slug; null for a site-wide badge")
    reason: str
    granted_at: ApiDateTime

    @classmethod
    def of(cls, shown: service.ShownAward) -> "BadgeOut":
        return cls(
            slug=shown.badge.slug,
            name=shown.badge.name,
            icon=shown.badge.icon,
            level=str(shown.badge.level),
            space=shown.space.slug if shown.space else None,
            reason=shown.award.reason,
            granted_at=shown.award.granted_at,
        )


class BadgeList(BaseModel):
    items: list[BadgeOut]


class KudosIn(Input):
    to_user_id: int | None = Field(
        default=None,
        strict=True,
        ge=1,
        le=MAX_ID,
        description="Whom to thank; may be left out with protocol_id to thank all co-authors",
    )
    message: str = Field(strict=True, max_length=kudos_service.MAX_MESSAGE)
    post_id: int | None = Field(
        default=None, strict=True, ge=1, le=MAX_ID, description="A post the caller can read"
    )
    protocol_id: int | None = Field(
        default=None,
        strict=True,
        ge=1,
        le=MAX_ID,
        description="A protocol the caller can read (instead of post_id)",
    )

    @model_validator(mode="after")
    def _one_target_and_someone_to_thank(self) -> "KudosIn":
        if self.post_id is not None and self.protocol_id is not None:
            raise PydanticCustomError("target", "Give post_id or protocol_id, not both")
        if self.to_user_id is None and self.protocol_id is None:
            raise PydanticCustomError(
                "missing", "to_user_id is required unless protocol_id is given"
            )
        return self

    def whom(self) -> Whom:
        target_type, target_id = None, None
        if self.post_id is not None:
            target_type, target_id = "post", self.post_id
        elif self.protocol_id is not None:
            target_type, target_id = "protocol", self.protocol_id
        receivers = [self.to_user_id] if self.to_user_id is not None else None
        return {"receiver_ids": receivers, "target_type": target_type, "target_id": target_id}


class TargetOut(BaseModel):
    type: str
    id: int
    # None when the content was deleted or hidden since; the kudos itself stays.
    title: str | None


class KudosOut(BaseModel):
    id: int
    giver: AuthorOut
    receiver: AuthorOut
    message: str
    target: TargetOut | None
    created_at: ApiDateTime


class KudosGiven(KudosOut):
    """The first kudos given, and every one this call gave (one per person thanked)."""

    items: list[KudosOut]


class KudosList(BaseModel):
    items: list[KudosOut]
    next_cursor: str | None


class LeaderIn(Input):
    is_leader: bool = Field(strict=True)
    title: str | None = Field(default=None, strict=True, max_length=120)


class LeaderOut(BaseModel):
    id: int
    is_leader: bool
    leader_title: str


def _person(user: User) -> AuthorOut:
    shown = author_out(user)
    assert shown is not None
    return shown


def _kudos_out(view: kudos_service.KudosView) -> KudosOut:
    k = view.kudos
    target = None
    if k.target_type is not None and k.target_id is not None:
        target = TargetOut(type=k.target_type, id=k.target_id, title=view.target_title)
    return KudosOut(
        id=k.id,
        giver=_person(view.giver),
        receiver=_person(view.receiver),
        message=k.message,
        target=target,
        created_at=k.created_at,
    )


@router.get("/users/{id}/badges", response_model=BadgeList)
def user_badges(session: SessionDep, caller: ApiUser, user_id: UserId) -> BadgeList:
    """A person's badges as the caller may see them (hidden ones, unreadable spaces left out)."""
    person = active_user(session, user_id)
    shown = service.badges_for(session, viewer=caller, person=person)
    return BadgeList(items=[BadgeOut.of(badge) for badge in shown])


@router.post("/kudos", response_model=KudosGiven, status_code=201, responses=TOO_MANY)
def give_kudos(session: SessionDep, caller: ApiUser, payload: KudosIn) -> KudosGiven:
    """Thank a colleague, optionally for a post the caller can read; or, with protocol_id and
    no to_user_id, every credited co-author of the protocol but the caller, one kudos each.
    Each kudos counts against the caller's monthly budget; if it does not cover all, none is
    given (429)."""
    whom = payload.whom()
    rows = kudos_service.give_kudos(session, giver=caller, message=payload.message, **whom)
    return _given(session, caller, rows, whom)


def _given(session: Session, caller: User, rows: list[Kudos], whom: Whom) -> KudosGiven:
    """The kudos as given: one item each, the first also at the top level."""
    receivers = {p.id: p for p in kudos_service.people(session, [r.receiver_id for r in rows])}
    target_type, target_id = whom["target_type"], whom["target_id"]
    title = None
    if target_type is not None and target_id is not None:
        title = kudos_service.TARGETS[target_type][1](session, [target_id]).get(target_id)
    views = [
        kudos_service.KudosView(
            kudos=row,
            giver=caller,
            receiver=receivers[row.receiver_id],
            space=None,
            target_title=title[0] if title else None,
        )
        for row in rows
    ]
    items = [_kudos_out(view) for view in views]
    return KudosGiven(**items[0].model_dump(), items=items)


@router.get("/users/{id}/kudos", response_model=KudosList)
def user_kudos(
    session: SessionDep,
    caller: ApiUser,
    user_id: UserId,
    cursor: Cursor = None,
    limit: Limit = 20,
) -> KudosList:
    """Kudos a person received; those tied to content the caller cannot read are left out."""
    person = active_user(session, user_id)
    page = kudos_service.kudos_received(
        session, viewer=caller, person=person, cursor=cursor, limit=limit
    )
    return KudosList(items=[_kudos_out(v) for v in page.items], next_cursor=page.next_cursor)


@router.post("/users/{id}/leader", response_model=LeaderOut)
def set_leader(
    session: SessionDep, caller: ApiUser, user_id: UserId, payload: LeaderIn
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
