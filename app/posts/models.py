"""Posts, comments, reactions and mentions."""

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from sqlalchemy import Column, Index, String, Text, UniqueConstraint, text
from sqlmodel import Field, SQLModel

from app.core.db import UTCDateTime, utcnow
from app.core.rows import RowView


class PostKind(StrEnum):
    discussion = "discussion"
    question = "question"
    announcement = "announcement"
    prompt = "prompt"
    showcase = "showcase"


class ReactionKind(StrEnum):
    like = "like"
    thanks = "thanks"
    insightful = "insightful"


# Which posts ix_posts_leader_published holds; a query must state these terms to use it.
LEADER_POSTS_SQLITE = "by_leader = 1 AND deleted_at IS NULL AND hidden_at IS NULL"
LEADER_POSTS_POSTGRESQL = "by_leader = true AND deleted_at IS NULL AND hidden_at IS NULL"


class Post(SQLModel, table=True):
    __tablename__ = "posts"
    __table_args__ = (
        # Space stream and home stream walk these newest-first with a keyset cursor.
        Index("ix_posts_space_published", "space_id", "published_at", "id"),
        # The home stream walks every post newest first until it has a page of the reader's
        # spaces: with the space and the two "still shown" columns in the index, no post row is
        # read for the ones it passes over (0.105 -> 0.032 ms at 100,000 posts in 206 spaces,
        # where a reader of 8 spaces passes ~500).
        Index("ix_posts_published", "published_at", "id", "space_id", "deleted_at", "hidden_at"),
        Index("ix_posts_kind_published", "kind", "published_at", "id"),
        Index("ix_posts_space_pinned", "space_id", "pinned_at"),
        # A person's posts newest first (profile, leaders' voices), and the author's foreign key;
        # with the space, whether the viewer may read a post is known without its row.
        Index("ix_posts_author_published", "author_id", "published_at", "id", "space_id"),
        # The publishing job looks for posts that are due but not yet announced.
        Index("ix_posts_announce", "announced_at", "published_at"),
        # Leaders' voices: only leaders' posts still shown, newest first, with all the box
        # reads (the space to check access, the author), so no table row is visited.
        Index(
            "ix_posts_leader_published",
            "published_at",
            "id",
            "space_id",
            "author_id",
            sqlite_where=text(LEADER_POSTS_SQLITE),
            postgresql_where=text(LEADER_POSTS_POSTGRESQL),
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    space_id: int = Field(foreign_key="spaces.id", ondelete="CASCADE")
    author_id: int | None = Field(default=None, foreign_key="users.id", ondelete="SET NULL")
    kind: PostKind = Field(default=PostKind.discussion, sa_type=String(16))
    title: str = Field(max_length=200)
    body: str = Field(sa_column=Column(Text, nullable=False))
    body_html: str = Field(sa_column=Column(Text, nullable=False))
    created_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False)
    )
    # When the post enters streams; later than created_at for scheduled posts.
    published_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False)
    )
    # Set once the post's publication was announced (mentions notified). Scheduled posts keep it
    # empty until the publishing job claims them; bulk inserts must set it, or they get announced.
    announced_at: datetime | None = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=True)
    )
    edited_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime, nullable=True))
    pinned_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime, nullable=True))
    deleted_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime, nullable=True))
    hidden_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime, nullable=True))
    # Denormalised so a stream shows counts without counting thousands of rows per page.
    comment_count: int = Field(default=0)
    # Whether the author is a leader now (kept in step by recognition.service.set_leader), so
    # leaders' voices read a small index instead of visiting every leader in turn.
    by_leader: bool = Field(default=False)


@dataclass(slots=True)
class PostRow(RowView):
    """What streams and the API show of a post (app.core.rows)."""

    model = Post
    id: int
    space_id: int
    author_id: int | None
    kind: str
    title: str
    body: str
    body_html: str
    created_at: datetime
    published_at: datetime
    edited_at: datetime | None
    pinned_at: datetime | None
    hidden_at: datetime | None
    comment_count: int


class Comment(SQLModel, table=True):
    __tablename__ = "comments"
    __table_args__ = (Index("ix_comments_post_created", "post_id", "created_at", "id"),)

    id: int | None = Field(default=None, primary_key=True)
    post_id: int = Field(foreign_key="posts.id", ondelete="CASCADE")
    author_id: int | None = Field(
        default=None, foreign_key="users.id", index=True, ondelete="SET NULL"
    )
    parent_id: int | None = Field(default=None, foreign_key="comments.id", ondelete="SET NULL")
    body: str = Field(sa_column=Column(Text, nullable=False))
    body_html: str = Field(sa_column=Column(Text, nullable=False))
    created_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False)
    )
    edited_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime, nullable=True))
    deleted_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime, nullable=True))
    hidden_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime, nullable=True))


@dataclass(slots=True)
class CommentRow(RowView):
    """What comment lists and the API show of a comment (app.core.rows)."""

    model = Comment
    id: int
    post_id: int
    author_id: int | None
    body: str
    body_html: str
    created_at: datetime
    edited_at: datetime | None
    hidden_at: datetime | None
    parent_id: int | None


class Reaction(SQLModel, table=True):
    __tablename__ = "reactions"
    __table_args__ = (
        UniqueConstraint("post_id", "user_id", "kind", name="uq_reactions_post_user_kind"),
    )

    id: int | None = Field(default=None, primary_key=True)
    post_id: int = Field(foreign_key="posts.id", ondelete="CASCADE")
    user_id: int = Field(foreign_key="users.id", index=True, ondelete="CASCADE")
    kind: ReactionKind = Field(sa_type=String(16))
    created_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False)
    )


class Mention(SQLModel, table=True):
    __tablename__ = "mentions"
    __table_args__ = (
        UniqueConstraint("post_id", "comment_id", "user_id", name="uq_mentions_target_user"),
    )

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="users.id", index=True, ondelete="CASCADE")
    post_id: int = Field(foreign_key="posts.id", index=True, ondelete="CASCADE")
    comment_id: int | None = Field(default=None, foreign_key="comments.id", ondelete="CASCADE")
    created_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False)
    )


class PostRevision(SQLModel, table=True):
    """An earlier version of a published post, kept when its author changed it."""

    __tablename__ = "post_revisions"
    # A post's versions newest first, with a keyset cursor on the id.
    __table_args__ = (Index("ix_post_revisions_post", "post_id", "id"),)

    id: int | None = Field(default=None, primary_key=True)
    post_id: int = Field(foreign_key="posts.id", ondelete="CASCADE")
    title: str = Field(max_length=200)
    body: str = Field(sa_column=Column(Text, nullable=False))
    # When this version was first shown (published, or the edit that made it) and replaced.
    written_at: datetime = Field(sa_column=Column(UTCDateTime, nullable=False))
    replaced_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False)
    )
