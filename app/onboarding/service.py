"""Onboarding (tip 1): a newcomer's checklist and the spaces they see, by visibility.

What Agora stores about a person (the summary and the export) is app/my_data.
"""

from dataclasses import dataclass
from datetime import timedelta
from functools import cache
from typing import Any

from sqlalchemy import func
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from app.core.db import utcnow
from app.core.prepared import NOW, VIEWER
from app.core.rows import read
from app.onboarding.models import OnboardingProgress
from app.people.models import User
from app.posts.models import Post, PostKind
from app.spaces.access import readable_space_ids_of
from app.spaces.models import Membership, MemberState, Space

NEWCOMER_DAYS = 90
SPACES_TO_JOIN = 3


@dataclass
class Step:
    key: str
    done: bool
    url: str


@dataclass
class Checklist:
    steps: list[Step]
    dismissed: bool
    newcomer: bool

    @property
    def done_count(self) -> int:
        return sum(step.done for step in self.steps)

    @property
    def complete(self) -> bool:
        return all(step.done for step in self.steps)

    @property
    def show_on_home(self) -> bool:
        return self.newcomer and not self.dismissed and not self.complete


def is_newcomer(user: User) -> bool:
    return user.created_at > utcnow() - timedelta(days=NEWCOMER_DAYS)


def _count(query) -> Any:
    return select(func.count()).select_from(query.subquery()).scalar_subquery()


@cache
def _checklist_statement() -> Any:
    spaces = _count(
        select(Membership.id).where(
            Membership.user_id == VIEWER, Membership.state == MemberState.active
        )
    )
    progress = select(OnboardingProgress).where(OnboardingProgress.user_id == VIEWER)
    seen = progress.with_only_columns(col(OnboardingProgress.visibility_seen_at)).scalar_subquery()
    dismissed = progress.with_only_columns(col(OnboardingProgress.dismissed_at)).scalar_subquery()
    answered = progress.with_only_columns(
        col(OnboardingProgress.answered_prompt_at)
    ).scalar_subquery()
    # Where the prompt step is done: the newest prompt the person may read and answer.
    prompt = (
        select(Post.id)
        .where(
            col(Post.kind) == PostKind.prompt,
            col(Post.space_id).in_(readable_space_ids_of(VIEWER)),
            col(Post.deleted_at).is_(None),
            col(Post.hidden_at).is_(None),
            col(Post.published_at) <= NOW,
        )
        .order_by(col(Post.published_at).desc(), col(Post.id).desc())
        .limit(1)
        .scalar_subquery()
    )
    return select(spaces, answered, seen, dismissed, prompt)  # type: ignore[call-overload]


def checklist(session: Session, *, user: User) -> Checklist:
    """The four first steps, read in one query."""
    ((n_spaces, answered_at, seen_at, dismissed_at, prompt_id),) = read(
        session, _checklist_statement(), {"viewer_id": user.id, "now": utcnow()}
    )
    # No prompt anywhere yet: the spaces are where one will appear.
    prompt_url = f"/posts/{prompt_id}#comment-form" if prompt_id else "/spaces"
    steps = [
        Step("profile", bool(user.title and user.department), "/settings#title"),
        Step("spaces", n_spaces >= SPACES_TO_JOIN, "/spaces"),
        Step("prompt", answered_at is not None, prompt_url),
        Step("visibility", seen_at is not None, "/about/visibility"),
    ]
    return Checklist(steps=steps, dismissed=dismissed_at is not None, newcomer=is_newcomer(user))


def _progress(session: Session, user: User) -> OnboardingProgress:
    progress = session.get(OnboardingProgress, user.id)
    if progress is not None:
        return progress
    try:
        with session.begin_nested():
            progress = OnboardingProgress(user_id=user.id)  # type: ignore[arg-type]
            session.add(progress)
    except IntegrityError:  # another tab of the same person got there first
        progress = session.get(OnboardingProgress, user.id)
    assert progress is not None
    return progress


def mark_visibility_seen(session: Session, *, user: User) -> None:
    progress = _progress(session, user)
    if progress.visibility_seen_at is None:
        progress.visibility_seen_at = utcnow()
        session.add(progress)
        session.flush()


def record_prompt_answer(session: Session, *, user: User) -> None:
    """The person commented on a prompt: the checklist's prompt step is done (once done, it stays
    done, even if that comment is deleted later)."""
    progress = _progress(session, user)
    if progress.answered_prompt_at is None:
        progress.answered_prompt_at = utcnow()
        session.add(progress)
        session.flush()


def dismiss_checklist(session: Session, *, user: User) -> None:
    progress = _progress(session, user)
    progress.dismissed_at = utcnow()
    session.add(progress)
    session.flush()


def my_spaces_by_visibility(session: Session, *, user: User) -> list[tuple[Space, int]]:
    """The person's spaces with their member counts, for the plain-words visibility page."""
    counts = (
        select(Membership.space_id, func.count().label("n"))
        .where(Membership.state == MemberState.active)
        .group_by(col(Membership.space_id))
        .subquery()
    )
    rows = session.exec(
        select(Space, counts.c.n)
        .join(Membership, col(Membership.space_id) == Space.id)
        .join(counts, counts.c.space_id == Space.id)
        .where(Membership.user_id == user.id, Membership.state == MemberState.active)
        .order_by(col(Space.visibility), col(Space.name))
    ).all()
    return [(space, n) for space, n in rows]
