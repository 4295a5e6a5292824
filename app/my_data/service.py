"""What Agora stores about me: a summary of every kind of record, and the export.

The export holds a person's own data, filtered by the same access policy as everything else: what
they wrote in a space they can no longer read is counted, not copied, so leaving a private space
never turns an export into a way around it. It reads every domain's rows, so it sits on the top
floor beside the home page, above the domains it reads.
"""

from typing import Any

from sqlalchemy import func, or_
from sqlmodel import Session, col, select

from app.core.db import utcnow
from app.moderation.models import Flag
from app.notifications.models import Notification
from app.onboarding.models import OnboardingProgress
from app.people.models import ApiToken, AuditEntry, AuthSession, LoginAttempt, User
from app.polls.export import poll_answers_for_export
from app.posts.models import Comment, Post, Reaction
from app.showcase.models import ShowcaseSuggestion
from app.spaces.access import readable_space_ids
from app.spaces.models import Membership, Space


def _count(query) -> Any:
    return select(func.count()).select_from(query.subquery()).scalar_subquery()


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
            "first_prompt_answer_at": _iso(progress.answered_prompt_at) if progress else None,
        },
    }
