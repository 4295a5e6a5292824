"""API input and output models, and the functions that turn domain objects into outputs.

Inputs forbid unknown fields and refuse wrong types (a number is not a title, "yes" is not a
boolean); the limits mirror the services', which still check emptiness after trimming.
"""

from collections.abc import Iterator
from datetime import datetime
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, PlainSerializer, WithJsonSchema, field_validator
from pydantic_core import PydanticCustomError

from app.core.db import utcnow
from app.core.i18n import gettext
from app.core.ids import MAX_ID
from app.core.text import text_problem
from app.people.avatars import avatar_url
from app.people.models import PersonRow, User
from app.posts.models import Comment, CommentRow, PostKind, ReactionKind
from app.posts.service import MAX_BODY, MAX_COMMENT, MAX_TITLE
from app.posts.streams import PostCard
from app.spaces.models import JoinPolicy, MemberRole, Membership, MemberState, Space, Visibility
from app.spaces.service import MAX_DESCRIPTION, MAX_NAME

# Always "+00:00" (not "Z"): the same text Python's isoformat and most clients parse and write.
ApiDateTime = Annotated[
    datetime,
    PlainSerializer(lambda value: value.isoformat(), return_type=str),
    WithJsonSchema({"type": "string", "format": "date-time"}),
]


def _text(max_length: int, description: str, **kwargs: Any) -> Any:
    return Field(strict=True, max_length=max_length, description=description, **kwargs)


class Input(BaseModel):
    """Every API input: unknown fields are refused, and so is text that breaks the text rule
    (app.core.text) in any string field, nested ones included, with the field named."""

    model_config = ConfigDict(extra="forbid")

    @field_validator("*", mode="after")
    @classmethod
    def _storable_text(cls, value: Any) -> Any:
        for text in _strings(value):
            problem = text_problem(text)
            if problem:
                raise PydanticCustomError("control_character", gettext(problem))
        return value


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, list | tuple | set | frozenset):
        for item in value:
            yield from _strings(item)
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _strings(key)
            yield from _strings(item)


class PatchInput(Input):
    """A partial update: leave a field out to keep it; null is not a value for any of them."""

    @field_validator("*", mode="before")
    @classmethod
    def _not_null(cls, value: Any) -> Any:
        if value is None:
            raise ValueError("Leave the field out instead of sending null")
        return value


# Spaces


class SpaceCreate(Input):
    name: str = _text(MAX_NAME, "Shown everywhere the space appears")
    description: str = _text(MAX_DESCRIPTION, "Plain text", default="")
    slug: str | None = _text(60, "The address; made from the name when left out", default=None)
    visibility: Visibility = Visibility.public
    join_policy: JoinPolicy | None = Field(
        default=None, description="Defaults to invite for secret spaces, open otherwise"
    )


class SpacePatch(PatchInput):
    name: str | None = _text(MAX_NAME, "New name", default=None)
    description: str | None = _text(MAX_DESCRIPTION, "New description", default=None)
    visibility: Visibility | None = None
    join_policy: JoinPolicy | None = None


class MemberAdd(Input):
    email: str = _text(254, "The person's email address")
    role: MemberRole = MemberRole.member


class MembershipOut(BaseModel):
    role: MemberRole
    state: MemberState


class SpaceOut(BaseModel):
    slug: str
    name: str
    description: str
    visibility: Visibility
    join_policy: JoinPolicy
    member_count: int
    membership: MembershipOut | None = Field(description="The caller's membership, if any")


class SpacePage(BaseModel):
    items: list[SpaceOut]
    next_cursor: str | None


class AuthorOut(BaseModel):
    id: int
    display_name: str
    is_leader: bool
    # The person's picture, or their generated face (an SVG) when they have none.
    avatar_url: str


class MemberOut(BaseModel):
    space: str
    user: AuthorOut
    role: MemberRole
    state: MemberState


# Posts and comments


class PostCreate(Input):
    title: str = _text(MAX_TITLE, "One line")
    body: str = _text(MAX_BODY, "Markdown")
    kind: PostKind = PostKind.discussion
    publish_at: str | None = Field(
        default=None,
        max_length=40,
        description="ISO 8601; without an offset it is wall time in the author's time zone",
    )


class PostPatch(PatchInput):
    title: str | None = _text(MAX_TITLE, "New title (author only)", default=None)
    body: str | None = _text(MAX_BODY, "New Markdown text (author only)", default=None)
    pinned: bool | None = Field(default=None, strict=True, description="Hosts pin and unpin")
    publish_at: str | None = Field(
        default=None, max_length=40, description="Reschedule a post that is not published yet"
    )


class PostOut(BaseModel):
    id: int
    space: str = Field(description="The space's slug")
    author: AuthorOut | None = Field(
        description="null when the account was erased (pages show “Former colleague”)"
    )
    kind: PostKind
    title: str
    body: str = Field(description="Markdown source")
    body_html: str = Field(description="Rendered and sanitised")
    created_at: ApiDateTime
    published_at: ApiDateTime
    scheduled: bool = Field(description="True until published_at has come")
    edited_at: ApiDateTime | None
    pinned: bool
    reactions: dict[str, int] = Field(description='Counts by kind, e.g. {"like": 2}')
    my_reactions: list[str] = Field(description="The kinds the caller reacted with")


class PostPage(BaseModel):
    items: list[PostOut]
    next_cursor: str | None


class CommentCreate(Input):
    body: str = _text(MAX_COMMENT, "Markdown")
    parent_id: int | None = Field(
        default=None, ge=1, le=MAX_ID, description="The comment on the same post this answers"
    )


class CommentOut(BaseModel):
    id: int
    post_id: int
    author: AuthorOut | None
    body: str
    body_html: str
    created_at: ApiDateTime


class CommentPage(BaseModel):
    items: list[CommentOut]
    next_cursor: str | None


class ReactionAdd(Input):
    kind: ReactionKind


class ReactionsOut(BaseModel):
    reactions: dict[str, int]
    my_reactions: list[str]


class MeOut(BaseModel):
    id: int
    email: str
    handle: str
    display_name: str
    is_admin: bool
    is_leader: bool
    avatar_url: str


class AvatarOut(BaseModel):
    avatar_url: str
    version: str | None


class HeaderImageOut(BaseModel):
    header_image_url: str
    version: str


class ErrorOut(BaseModel):
    detail: str


# Documented on the operations whose services can answer them.
CONFLICT: dict[int | str, dict[str, Any]] = {
    409: {"model": ErrorOut, "description": "Already done, or changed meanwhile"}
}
TOO_MANY: dict[int | str, dict[str, Any]] = {
    429: {"model": ErrorOut, "description": "This month's budget is spent"}
}


# Domain objects to outputs


def iso_time(value: datetime | None) -> str | None:
    """A moment as the API writes it in hand-built answers, or None."""
    return value.isoformat() if value else None


def author_out(user: User | PersonRow | None) -> AuthorOut | None:
    if user is None:
        return None
    return AuthorOut(
        id=user.id,
        display_name=user.display_name,
        is_leader=user.is_leader,
        avatar_url=avatar_url(user),
    )


def space_out(space: Space, membership: Membership | None, member_count: int) -> SpaceOut:
    return SpaceOut(
        slug=space.slug,
        name=space.name,
        description=space.description,
        visibility=space.visibility,
        join_policy=space.join_policy,
        member_count=member_count,
        membership=MembershipOut(role=membership.role, state=membership.state)
        if membership is not None
        else None,
    )


def member_out(space: Space, user: User, membership: Membership) -> MemberOut:
    return MemberOut(
        space=space.slug,
        user=author_out(user),
        role=membership.role,
        state=membership.state,
    )


def post_out(card: PostCard) -> PostOut:
    post = card.post
    return PostOut(
        id=post.id,
        space=card.space.slug,
        author=author_out(card.author),
        kind=post.kind,
        title=post.title,
        body=post.body,
        body_html=post.body_html,
        created_at=post.created_at,
        published_at=post.published_at,
        scheduled=post.published_at > utcnow(),
        edited_at=post.edited_at,
        pinned=post.pinned_at is not None,
        reactions=card.reactions,
        my_reactions=sorted(card.my_reactions),
    )


def comment_out(comment: Comment | CommentRow, author: User | PersonRow | None) -> CommentOut:
    return CommentOut(
        id=comment.id,
        post_id=comment.post_id,
        author=author_out(author),
        body=comment.body,
        body_html=comment.body_html,
        created_at=comment.created_at,
    )
