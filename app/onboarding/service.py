"""Onboarding (tip 1): a newcomer's checklist, and what Agora stores about a person.

The export holds a person's own data, filtered by the same access policy as everything else: what
they wrote in a space they can no longer read is counted, not copied, so leaving a private space
never turns an export into a way around it.
"""

from dataclasses import dataclass
from datetime import timedelta
from functools import cache
from typing import Any

from sqlalchemy import func, or_
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from app.db import utcnow
from app.moderation.models import Flag, OnboardingProgress, ShowcaseSuggestion
from app.notifications.models import Notification
from app.people.models import ApiToken, AuditEntry, AuthSession, LoginAttempt, User
from app.polls.export import poll_answers_for_export
from app.posts.models import Comment, Post, PostKind, Reaction
from app.prepared import NOW, VIEWER
from app.rows import read
from app.spaces.access import readable_space_ids, readable_space_ids_of
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
    replies = _count(
        select(Comment.id)
        .join(Post, col(Post.id) == Comment.post_id)
        .where(
            col(Comment.author_id) == VIEWER,
            col(Comment.deleted_at).is_(None),
            col(Post.kind) == PostKind.prompt,
        )
    )
    progress = select(OnboardingProgress).where(OnboardingProgress.user_id == VIEWER)
    seen = progress.with_only_columns(col(OnboardingProgress.visibility_seen_at)).scalar_subquery()
    dismissed = progress.with_only_columns(col(OnboardingProgress.dismissed_at)).scalar_subquery()
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
    return select(spaces, replies, seen, dismissed, prompt)  # type: ignore[call-overload]


def checklist(session: Session, *, user: User) -> Checklist:
    """The four first steps, read in one query."""
    ((n_spaces, n_replies, seen_at, dismissed_at, prompt_id),) = read(
        session, _checklist_statement(), {"viewer_id": user.id, "now": utcnow()}
    )
    # No prompt anywhere yet: the spaces are where one will appear.
    prompt_url = f"/posts/{prompt_id}#comment-form" if prompt_id else "/spaces"
    steps = [
        Step("profile", bool(user.title and user.department), "/settings#title"),
        Step("spaces", n_spaces >= SPACES_TO_JOIN, "/spaces"),
        Step("prompt", n_replies > 0, prompt_url),
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


def data_summary(session: Session, *, user: User) -> dict[str, int]:
    """How many records of each kind Agora keeps about the person (one query)."""
    mine = {
        "posts": select(Post.id).where(Post.author_id == user.id),
        "comments": select(Comment.id).where(Comment.author_id == user.id),
        "reactions": select(Reaction.id).where(Reaction.user_id == user.id),
        "memberships": select(Membership.id).where(Membership.user_id == user.id),
        "notifications": select(Notification.id).where(Notification.user_id == user.id),
        "sessions": select(AuthSession.id).where(AuthSession.user_id == user.id),
        "api_tokens": select(ApiToken.id).where(ApiToken.user_id == user.id),
        "flags": select(Flag.id).where(Flag.reporter_id == user.id),
        "suggestions": select(ShowcaseSuggestion.id).where(
            ShowcaseSuggestion.suggested_by_id == user.id
        ),
        "audit": select(AuditEntry.id).where(
            or_(
                col(AuditEntry.actor_id) == user.id,
                (col(AuditEntry.target_type) == "user") & (col(AuditEntry.target_id) == user.id),
            )
        ),
        "failed_sign_ins": select(LoginAttempt.id).where(LoginAttempt.email == user.email),
    }
    values = session.exec(select(*[_count(q) for q in mine.values()])).one()
    return dict(zip(mine.keys(), values, strict=True))


def _iso(value: Any) -> Any:
    return value.isoformat() if value is not None and hasattr(value, "isoformat") else value


def export_my_data(session: Session, *, user: User) -> dict[str, Any]:
    """Everything Agora keeps about the person that they may see, as JSON-ready data."""
    readable = readable_space_ids(user)
    posts = session.exec(
        select(Post, Space.slug)
        .join(Space, col(Space.id) == Post.space_id)
        .where(col(Post.author_id) == user.id, col(Post.space_id).in_(readable))
        .order_by(col(Post.created_at))
    ).all()
    comments = session.exec(
        select(Comment)
        .join(Post, col(Post.id) == Comment.post_id)
        .where(col(Comment.author_id) == user.id, col(Post.space_id).in_(readable))
        .order_by(col(Comment.created_at))
    ).all()
    reactions = session.exec(
        select(Reaction)
        .join(Post, col(Post.id) == Reaction.post_id)
        .where(col(Reaction.user_id) == user.id, col(Post.space_id).in_(readable))
    ).all()
    unreadable = session.exec(
        select(func.count())
        .select_from(Post)
        .where(col(Post.author_id) == user.id, col(Post.space_id).not_in(readable))
    ).one()
    memberships = session.exec(
        select(Membership, Space)
        .join(Space, col(Space.id) == Membership.space_id)
        .where(Membership.user_id == user.id)
    ).all()
    notifications = session.exec(
        select(Notification)
        .where(
            col(Notification.user_id) == user.id,
            or_(col(Notification.space_id).is_(None), col(Notification.space_id).in_(readable)),
        )
        .order_by(col(Notification.created_at))
    ).all()
    flags = session.exec(
        select(Flag).where(col(Flag.reporter_id) == user.id, col(Flag.space_id).in_(readable))
    ).all()
    suggestions = session.exec(
        select(ShowcaseSuggestion).where(
            col(ShowcaseSuggestion.suggested_by_id) == user.id,
            col(ShowcaseSuggestion.space_id).in_(readable),
        )
    ).all()
    sessions = session.exec(select(AuthSession).where(AuthSession.user_id == user.id)).all()
    tokens = session.exec(select(ApiToken).where(ApiToken.user_id == user.id)).all()
    audit = session.exec(
        select(AuditEntry)
        .where(
            or_(
                col(AuditEntry.actor_id) == user.id,
                (col(AuditEntry.target_type) == "user") & (col(AuditEntry.target_id) == user.id),
            ),
            or_(col(AuditEntry.space_id).is_(None), col(AuditEntry.space_id).in_(readable)),
        )
        .order_by(col(AuditEntry.created_at))
    ).all()
    failures = session.exec(
        select(LoginAttempt.attempted_at, LoginAttempt.address).where(
            LoginAttempt.email == user.email
        )
    ).all()
    progress = session.get(OnboardingProgress, user.id)
    return {
        "exported_at": utcnow().isoformat(),
        "profile": {
            "id": user.id,
            "email": user.email,
            "handle": user.handle,
            "display_name": user.display_name,
            "title": user.title,
            "department": user.department,
            "site_role": str(user.site_role),
            "is_leader": user.is_leader,
            "leader_title": user.leader_title,
            "locale": user.locale,
            "time_zone": user.time_zone,
            "theme": user.theme,
            "is_active": user.is_active,
            "created_at": _iso(user.created_at),
            "has_password": user.password_hash is not None,
        },
        "memberships": [
            {
                "space": space.slug,
                "space_name": space.name,
                "role": str(m.role),
                "state": str(m.state),
                "joined_at": _iso(m.joined_at),
            }
            for m, space in memberships
        ],
        "posts": [
            {
                "id": p.id,
                "space": slug,
                "kind": str(p.kind),
                "title": p.title,
                "body": p.body,
                "created_at": _iso(p.created_at),
                "published_at": _iso(p.published_at),
                "edited_at": _iso(p.edited_at),
                "deleted": p.deleted_at is not None,
                "hidden_by_moderator": p.hidden_at is not None,
            }
            for p, slug in posts
        ],
        "posts_in_spaces_you_cannot_read_any_more": unreadable,
        "comments": [
            {
                "id": c.id,
                "post_id": c.post_id,
                "body": c.body,
                "created_at": _iso(c.created_at),
                "edited_at": _iso(c.edited_at),
                "deleted": c.deleted_at is not None,
                "hidden_by_moderator": c.hidden_at is not None,
            }
            for c in comments
        ],
        "reactions": [
            {"post_id": r.post_id, "kind": str(r.kind), "created_at": _iso(r.created_at)}
            for r in reactions
        ],
        "notifications": [
            {
                "text": n.text,
                "url": n.url,
                "created_at": _iso(n.created_at),
                "read": bool(n.read_at),
            }
            for n in notifications
        ],
        "flags_you_filed": [
            {
                "target_type": str(f.target_type),
                "target_id": f.target_id,
                "reason": f.reason,
                "state": str(f.state),
                "created_at": _iso(f.created_at),
            }
            for f in flags
        ],
        "showcase_suggestions": [
            {"post_id": s.post_id, "note": s.note, "state": str(s.state)} for s in suggestions
        ],
        "sign_in_sessions": [
            {"created_at": _iso(s.created_at), "expires_at": _iso(s.expires_at)} for s in sessions
        ],
        "api_tokens": [
            {
                "name": t.name,
                "created_at": _iso(t.created_at),
                "last_used_at": _iso(t.last_used_at),
                "revoked_at": _iso(t.revoked_at),
            }
            for t in tokens
        ],
        "audit_log": [
            {
                "action": a.action,
                "by_you": a.actor_id == user.id,
                "target_type": a.target_type,
                "target_id": a.target_id,
                "created_at": _iso(a.created_at),
            }
            for a in audit
        ],
        "failed_sign_ins": [{"at": _iso(at), "address": address} for at, address in failures],
        **poll_answers_for_export(session, user_id=user.id, readable=readable),  # type: ignore[arg-type]
        "onboarding": {
            "visibility_page_seen_at": _iso(progress.visibility_seen_at) if progress else None,
            "checklist_dismissed_at": _iso(progress.dismissed_at) if progress else None,
        },
    }
