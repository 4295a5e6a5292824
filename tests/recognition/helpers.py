"""Small helpers for recognition tests: who holds what, and moving content in time."""

from datetime import datetime

from sqlalchemy import delete, update
from sqlmodel import Session, col, select

from app.posts.models import Comment, Post
from app.recognition.models import Award, Badge
from app.recognition.service import update_site_settings
from app.spaces.models import Space
from tests.factories import make_user


def holders(session: Session, slug: str, space_id: int | None = None) -> list[int]:
    """Ids of the people holding a badge (for the site, or for one space), in id order."""
    scope = col(Award.space_id).is_(None) if space_id is None else Award.space_id == space_id
    return sorted(
        session.exec(
            select(Award.user_id)
            .join(Badge, col(Badge.id) == Award.badge_id)
            .where(Badge.slug == slug, scope)
        ).all()
    )


def slugs_of(session: Session, user_id: int) -> set[str]:
    return set(
        session.exec(
            select(Badge.slug)
            .join(Award, col(Award.badge_id) == Badge.id)
            .where(Award.user_id == user_id)
        ).all()
    )


def forget_awards(session: Session) -> None:
    """Start over as if no grant had run (content stays)."""
    session.exec(delete(Award))  # type: ignore[call-overload]
    session.commit()


def set_post_time(session: Session, post: Post, at: datetime) -> None:
    session.exec(  # type: ignore[call-overload]
        update(Post).where(col(Post.id) == post.id).values(published_at=at, created_at=at)
    )
    session.commit()


def set_comment_time(session: Session, comment: Comment, at: datetime) -> None:
    session.exec(  # type: ignore[call-overload]
        update(Comment).where(col(Comment.id) == comment.id).values(created_at=at)
    )
    session.commit()


def set_space_created(session: Session, space: Space, at: datetime) -> None:
    session.exec(update(Space).where(col(Space.id) == space.id).values(created_at=at))  # type: ignore[call-overload]
    session.commit()
    session.expire_all()


def configure(session: Session, **values: object) -> None:
    """Change the site's recognition settings as an admin would."""
    admin = make_user(session, admin=True)
    settings = {"early_adopter_count": 10, "kudos_monthly_budget": 20, "thank_you_wall": False}
    settings.update(values)
    update_site_settings(session, actor=admin, **settings)  # type: ignore[arg-type]
    session.commit()
