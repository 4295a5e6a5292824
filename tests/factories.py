"""Test data made through the real services, so the rules hold for test data too."""

import itertools
from typing import Any

from sqlmodel import Session

from app.people.models import User
from app.people.service import create_api_token, create_user
from app.posts.models import Comment, Post
from app.posts.service import add_comment, create_post
from app.spaces.access import access_for
from app.spaces.models import Space
from app.spaces.service import add_member, create_space
from tests.conftest import PASSWORD

_seq = itertools.count(1)


def make_user(
    session: Session, *, name: str | None = None, admin: bool = False, **kwargs: Any
) -> User:
    n = next(_seq)
    user = create_user(
        session,
        email=kwargs.pop("email", f"person{n}@example.com"),
        display_name=name or f"Person {n}",
        password=PASSWORD,
        admin=admin,
        **kwargs,
    )
    session.commit()
    return user


def make_space(
    session: Session,
    *,
    host: User,
    visibility: str = "public",
    join_policy: str | None = None,
    members: tuple[User, ...] = (),
    name: str | None = None,
) -> Space:
    policy = join_policy or ("invite" if visibility == "secret" else "open")
    space = create_space(
        session,
        creator=host,
        name=name or f"Space {next(_seq)}",
        visibility=visibility,
        join_policy=policy,
    )
    host_access = access_for(session, host, space)
    for member in members:
        add_member(session, access=host_access, user=member)
    session.commit()
    return space


def make_post(
    session: Session,
    *,
    author: User,
    space: Space,
    title: str = "A post",
    body: str = "Some text",
    kind: str = "discussion",
) -> Post:
    post = create_post(
        session, access=access_for(session, author, space), title=title, body=body, kind=kind
    )
    session.commit()
    return post


def make_comment(session: Session, *, author: User, post: Post, body: str = "A comment") -> Comment:
    comment = add_comment(session, user=author, post_id=post.id, body=body)  # type: ignore[arg-type]
    session.commit()
    return comment


def make_token(session: Session, *, user: User) -> str:
    token = create_api_token(session, user=user, name="test")
    session.commit()
    return token
