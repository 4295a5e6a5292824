"""What kudos can be tied to: posts, comments and protocols.

For each kind, a loader checks that the giver may read the target (404 otherwise, through the
access policy) and says whose work it is; a titler names the targets that still exist.
"""

from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import ColumnElement
from sqlmodel import Session, col, select

from app.access.posts import comment_shown, post_not_removed
from app.people.models import User
from app.posts.models import Comment, Post
from app.posts.service import load_comment, load_post
from app.protocols.access import protocol_access
from app.protocols.models import Protocol, ProtocolContributor
from app.recognition.models import KudosTarget
from app.spaces.models import Space


@dataclass(frozen=True)
class TargetInfo:
    """What kudos need to know about the content they are tied to."""

    space: Space
    author_ids: list[int]
    title: str = ""
    url: str = ""


# A loader checks that the giver may read the target (404 otherwise) and describes it.
TargetLoader = Callable[[Session, User, int], TargetInfo]
# A titler gives (title, address) for the targets that still exist and are shown, by id.
TargetTitler = Callable[[Session, list[int]], dict[int, tuple[str, str]]]


def _load_post(session: Session, giver: User, post_id: int) -> TargetInfo:
    post, access = load_post(session, user=giver, post_id=post_id)
    authors = [post.author_id] if post.author_id else []
    return TargetInfo(access.space, authors, post.title, f"/posts/{post.id}")


def _load_comment(session: Session, giver: User, comment_id: int) -> TargetInfo:
    comment, post, access = load_comment(session, user=giver, comment_id=comment_id)
    authors = [comment.author_id] if comment.author_id else []
    return TargetInfo(access.space, authors, post.title, f"/posts/{post.id}#comment-{comment.id}")


def credited_authors(session: Session, protocol_id: int) -> list[int]:
    """Everyone the protocol's "Written by" list credits, most edits first."""
    return list(
        session.exec(
            select(ProtocolContributor.user_id)
            .where(ProtocolContributor.protocol_id == protocol_id, ProtocolContributor.edits > 0)
            .order_by(col(ProtocolContributor.edits).desc(), col(ProtocolContributor.user_id))
        )
    )


def _load_protocol(session: Session, giver: User, protocol_id: int) -> TargetInfo:
    protocol, access = protocol_access(session, giver, protocol_id)
    authors = credited_authors(session, protocol_id)
    return TargetInfo(access.space, authors, protocol.title, f"/protocols/{protocol.id}")


def _live(post: type[Post] = Post) -> ColumnElement[bool]:
    not_deleted, not_hidden = post_not_removed(post)
    return not_deleted & not_hidden


def _post_titles(session: Session, ids: list[int]) -> dict[int, tuple[str, str]]:
    rows = session.exec(select(Post.id, Post.title).where(col(Post.id).in_(ids), _live()))
    return {pid: (title, f"/posts/{pid}") for pid, title in rows}  # type: ignore[misc]


def _comment_titles(session: Session, ids: list[int]) -> dict[int, tuple[str, str]]:
    rows = session.exec(
        select(Comment.id, Post.id, Post.title)
        .join(Post, col(Post.id) == Comment.post_id)
        .where(col(Comment.id).in_(ids), *comment_shown(), _live())
    )
    return {cid: (title, f"/posts/{pid}#comment-{cid}") for cid, pid, title in rows}  # type: ignore[misc]


def _protocol_titles(session: Session, ids: list[int]) -> dict[int, tuple[str, str]]:
    rows = session.exec(select(Protocol.id, Protocol.title).where(col(Protocol.id).in_(ids)))
    return {pid: (title, f"/protocols/{pid}") for pid, title in rows}  # type: ignore[misc]


TARGETS: dict[str, tuple[TargetLoader, TargetTitler]] = {
    KudosTarget.post: (_load_post, _post_titles),
    KudosTarget.comment: (_load_comment, _comment_titles),
    KudosTarget.protocol: (_load_protocol, _protocol_titles),
}


def load_target(session: Session, giver: User, target_type: str, target_id: int) -> TargetInfo:
    """The target as the giver may see it (404 if they cannot)."""
    return TARGETS[target_type][0](session, giver, target_id)
