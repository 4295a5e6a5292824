"""Prompts: discussion starters hosts post (or schedule), with an optional answer format."""

from datetime import datetime

from sqlmodel import Session, col, select

from app.access.posts import post_shown
from app.core.errors import Invalid
from app.core.i18n import gettext
from app.core.text import check_characters
from app.posts.models import Post, PostKind
from app.posts.service import create_post
from app.prompts.library import (
    BY_KEY,
    SPACE_TYPES,
    LibraryPrompt,
    guess_space_type,
    prompts_for,
)
from app.prompts.models import PromptDetails
from app.spaces.access import SpaceAccess, require_moderate, require_read

MAX_FORMAT = 300


def space_type_of(access: SpaceAccess, chosen: str | None = None) -> str:
    if chosen in SPACE_TYPES:
        return chosen
    return guess_space_type(access.space.name, access.space.description)


def used_library_keys(session: Session, *, access: SpaceAccess) -> set[str]:
    return set(
        session.exec(
            select(PromptDetails.library_key).where(
                PromptDetails.space_id == access.space.id, PromptDetails.library_key != ""
            )
        ).all()
    )


def suggested_prompts(
    session: Session, *, access: SpaceAccess, space_type: str | None = None, count: int = 3
) -> list[LibraryPrompt]:
    """Starter prompts for this kind of space that it has not used yet (a host's first ideas)."""
    require_moderate(access)
    used = used_library_keys(session, access=access)
    fresh = [p for p in prompts_for(space_type_of(access, space_type)) if p.key not in used]
    return fresh[:count]


def library_prompt(key: str) -> LibraryPrompt | None:
    return BY_KEY.get(key)


def prompt_body(context: str, answer_format: str) -> str:
    """The post text: the host's context, then the answer format as a visible line."""
    context = context.strip()
    if answer_format:
        label = gettext("How to answer:")
        line = f"**{label}** {answer_format}"
        return f"{context}\n\n{line}" if context else line
    return context


def create_prompt(
    session: Session,
    *,
    access: SpaceAccess,
    question: str,
    context: str = "",
    answer_format: str = "",
    library_key: str = "",
    publish_at: datetime | None = None,
) -> Post:
    """A host posts a prompt now or at publish_at; it remembers the library prompt it came from."""
    require_moderate(access)
    answer_format = " ".join(check_characters(answer_format, field="answer_format").split())
    check_characters(context, field="context")
    if len(answer_format) > MAX_FORMAT:
        raise Invalid("Too long: at most %(max)s characters", field="answer_format", max=MAX_FORMAT)
    if library_key and library_key not in BY_KEY:
        raise Invalid("Unknown starter prompt", field="library_key")
    post = create_post(
        session,
        access=access,
        title=question,
        body=prompt_body(context, answer_format) or question,
        kind=PostKind.prompt.value,
        publish_at=publish_at,
    )
    session.add(
        PromptDetails(
            post_id=post.id,  # type: ignore[arg-type]
            space_id=access.space.id,  # type: ignore[arg-type]
            answer_format=answer_format,
            library_key=library_key,
        )
    )
    session.flush()
    return post


def prompts_in_space(session: Session, *, access: SpaceAccess, limit: int = 50) -> list[Post]:
    """The space's prompts, newest first (scheduled ones for those who may see them)."""
    require_read(access)
    query = select(Post).where(
        col(Post.space_id) == access.space.id,
        col(Post.kind) == PostKind.prompt,
        col(Post.deleted_at).is_(None),
    )
    if not access.can_moderate:
        query = query.where(*post_shown())
    return list(session.exec(query.order_by(col(Post.published_at).desc()).limit(limit)).all())
