"""Protocols (meeting minutes): the live document, its update log, revisions and action items."""

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import Column, Index, LargeBinary, String, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from app.core.db import UTCDateTime, utcnow
from app.protocols.item_text import item_label


class ProtocolStatus(StrEnum):
    draft = "draft"
    published = "published"


class RevisionKind(StrEnum):
    created = "created"
    idle = "idle"  # taken when live editing went quiet
    manual = "manual"  # someone pressed "save a revision"
    publish = "publish"
    form = "form"  # a plain form / API save (submitted text kept in submitted_text)
    restore = "restore"


class Protocol(SQLModel, table=True):
    __tablename__ = "protocols"
    __table_args__ = (Index("ix_protocols_space_updated", "space_id", "archived_at", "updated_at"),)

    id: int | None = Field(default=None, primary_key=True)
    space_id: int = Field(foreign_key="spaces.id", ondelete="CASCADE")
    title: str = Field(max_length=200)
    template: str = Field(default="blank", max_length=32)
    status: ProtocolStatus = Field(default=ProtocolStatus.draft, sa_type=String(16))
    created_by_id: int | None = Field(default=None, foreign_key="users.id", ondelete="SET NULL")
    # The counter row for update sequence numbers: UPDATE ... SET last_seq = last_seq + n
    # RETURNING takes the row lock, so numbers are gap-free and commit in order on every engine.
    last_seq: int = Field(default=0)
    # Compacted document state: every update up to snapshot_seq replayed into one Doc.
    # Revision numbers come from the same kind of counter (form saves race for them).
    revision_count: int = Field(default=0)
    snapshot: bytes = Field(default=b"", sa_column=Column(LargeBinary, nullable=False))
    snapshot_seq: int = Field(default=0)
    # Markdown derived from the document (never the other way round) and the seq it reflects.
    text: str = Field(default="", sa_column=Column(Text, nullable=False))
    text_seq: int = Field(default=0)
    created_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False)
    )
    updated_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False)
    )
    published_at: datetime | None = Field(
        default=None, sa_column=Column(UTCDateTime, nullable=True)
    )
    locked_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime, nullable=True))
    locked_by_id: int | None = Field(default=None, foreign_key="users.id", ondelete="SET NULL")
    archived_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime, nullable=True))


class ProtocolUpdate(SQLModel, table=True):
    """One Yjs update as received, stored before anyone else sees it."""

    __tablename__ = "protocol_updates"
    __table_args__ = (
        UniqueConstraint("protocol_id", "seq", name="uq_protocol_updates_protocol_seq"),
    )

    id: int | None = Field(default=None, primary_key=True)
    protocol_id: int = Field(foreign_key="protocols.id", ondelete="CASCADE")
    seq: int
    data: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    user_id: int | None = Field(default=None, foreign_key="users.id", ondelete="SET NULL")
    created_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False)
    )


class ProtocolRevision(SQLModel, table=True):
    __tablename__ = "protocol_revisions"
    __table_args__ = (
        UniqueConstraint("protocol_id", "number", name="uq_protocol_revisions_protocol_number"),
    )

    id: int | None = Field(default=None, primary_key=True)
    protocol_id: int = Field(foreign_key="protocols.id", ondelete="CASCADE")
    number: int
    kind: RevisionKind = Field(sa_type=String(16))
    # The document text this revision records ("" while a form save is still being merged).
    text: str = Field(default="", sa_column=Column(Text, nullable=False))
    # What a form/API save submitted, kept verbatim before any merge happens.
    submitted_text: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    base_number: int | None = None
    # pending -> merged | clean | conflict; plain revisions are "done".
    state: str = Field(default="done", max_length=16)
    seq: int = Field(default=0)  # the document seq the text corresponds to
    author_id: int | None = Field(default=None, foreign_key="users.id", ondelete="SET NULL")
    # Everyone who edited since the previous revision, as "1,5,9" (credited in the history).
    credited_ids: str = Field(default="", max_length=2000)
    note: str = Field(default="", max_length=200)
    created_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False)
    )


class ProtocolContributor(SQLModel, table=True):
    __tablename__ = "protocol_contributors"
    __table_args__ = (
        UniqueConstraint("protocol_id", "user_id", name="uq_protocol_contributors_protocol_user"),
    )

    id: int | None = Field(default=None, primary_key=True)
    protocol_id: int = Field(foreign_key="protocols.id", ondelete="CASCADE")
    user_id: int = Field(foreign_key="users.id", ondelete="CASCADE")
    edits: int = Field(default=0)
    last_edit_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False)
    )


class ActionItem(SQLModel, table=True):
    """A task-list line of a protocol, kept in step with the text it was parsed from."""

    __tablename__ = "protocol_action_items"
    __table_args__ = (
        UniqueConstraint("protocol_id", "key", name="uq_protocol_action_items_protocol_key"),
        Index("ix_protocol_action_items_assignee_done", "assignee_id", "done", "due"),
    )

    id: int | None = Field(default=None, primary_key=True)
    protocol_id: int = Field(foreign_key="protocols.id", ondelete="CASCADE")
    # The line without its checkbox, normalised: identifies the item across edits of the text.
    key: str = Field(max_length=64)
    text: str = Field(max_length=1000)
    assignee_id: int | None = Field(default=None, foreign_key="users.id", ondelete="SET NULL")
    due: date | None = None
    done: bool = Field(default=False)
    position: int = Field(default=0)
    present: bool = Field(default=True)  # false once the line was removed from the text
    notified_id: int | None = None  # the assignee who was last told about it
    updated_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False)
    )

    @property
    def label(self) -> str:
        """The task as lists show it, beside its own due date (see app/protocols/item_text)."""
        return item_label(self.text)
