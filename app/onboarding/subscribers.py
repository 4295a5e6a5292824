"""The checklist hears of the steps other domains see happen."""

from sqlmodel import Session

from app.core.domain_events import CommentCreated, subscriber
from app.onboarding.service import record_prompt_answer
from app.posts.models import PostKind


@subscriber(CommentCreated)
def comment_created(session: Session, fact: CommentCreated) -> None:
    if fact.post.kind == PostKind.prompt:
        record_prompt_answer(session, user=fact.author)
