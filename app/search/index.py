"""Writing the index: a document per post, comment, protocol, event, space and person.

Subscribers (app/search/subscribers.py) call these in the transaction of the change, so a
thing is findable when its change commits; `reindex` rebuilds everything in batches.
"""

from collections.abc import Callable, Iterator
from contextlib import contextmanager, nullcontext
from datetime import datetime
from typing import Any, NamedTuple

from sqlalchemy import delete, func, or_
from sqlalchemy import select as sa_select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from app.core.db import get_engine
from app.events.models import Event
from app.people.models import User
from app.posts.models import Comment, Post
from app.protocols.models import Protocol
from app.search.models import SearchDocument, SearchKind, recency_key
from app.search.text import index_terms, kind_mark, plain
from app.spaces.models import Space

Document = dict[str, Any]
MAX_BODY_CHARS = 100_000
_UPDATED = (
    "post_id", "space_id", "author_id", "title", "body", "terms", "created_at", "recency"
)  # fmt: skip


def _document(
    kind: SearchKind,
    target_id: int | None,
    *,
    title: str,
    body: str,
    created_at: datetime,
    space_id: int | None = None,
    author_id: int | None = None,
    post_id: int | None = None,
    extra: str = "",
) -> Document:
    body = plain(body)[:MAX_BODY_CHARS]
    return {
        "kind": kind.value,
        "target_id": target_id,
        "post_id": post_id,
        "space_id": space_id,
        "author_id": author_id,
        "title": plain(title)[:300],
        "body": body,
        "terms": f"{kind_mark(kind.value)} "
        + (index_terms(body) if kind == SearchKind.comment else index_terms(title, extra, body)),
        "created_at": created_at,
        "recency": recency_key(kind, target_id or 0, created_at),
    }


def post_document(post: Post) -> Document:
    # A scheduled post is indexed now and found from its publishing time (app/search/service.py).
    return _document(
        SearchKind.post,
        post.id,
        title=post.title,
        body=post.body,
        created_at=post.published_at,
        space_id=post.space_id,
        author_id=post.author_id,
    )


class _CommentedPost(NamedTuple):
    id: int
    title: str
    space_id: int


def comment_document(comment: Comment, post: Post | _CommentedPost) -> Document:
    """A comment shows its post's title but is found by its own words only."""
    return _document(
        SearchKind.comment,
        comment.id,
        title=post.title,
        body=comment.body,
        created_at=comment.created_at,
        space_id=post.space_id,
        author_id=comment.author_id,
        post_id=post.id,
    )


def protocol_document(protocol: Protocol, text: str | None = None) -> Document:
    return _document(
        SearchKind.protocol,
        protocol.id,
        title=protocol.title,
        body=protocol.text if text is None else text,
        created_at=protocol.created_at,
        space_id=protocol.space_id,
        author_id=protocol.created_by_id,
    )


def event_document(event: Event) -> Document:
    return _document(
        SearchKind.event,
        event.id,
        title=event.title,
        body=event.description,
        extra=event.location,
        created_at=event.created_at,
        space_id=event.space_id,
        author_id=event.created_by_id,
    )


def space_document(space: Space) -> Document:
    return _document(
        SearchKind.space,
        space.id,
        title=space.name,
        body=space.description,
        extra=space.slug,
        created_at=space.created_at,
        space_id=space.id,
    )


def person_document(user: User) -> Document:
    """Name, handle, title and department; never the email address."""
    about = " · ".join(part for part in (f"@{user.handle}", user.title, user.department) if part)
    return _document(
        SearchKind.person,
        user.id,
        title=user.display_name,
        body=about,
        created_at=user.created_at,
        author_id=user.id,
    )


def _upsert(dialect: str) -> Any:
    maker = pg_insert if dialect == "postgresql" else sqlite_insert
    # On the table, not the model: the ORM's bulk path around it cost a write more than the
    # statement (0.1 ms of the 0.5 ms the index added to a comment).
    statement = maker(SearchDocument.__table__)  # type: ignore[attr-defined]
    # A document that is already as it would be written is left alone: no write, and on
    # SQLite no FTS5 trigger (a reindex of an up-to-date index only reads).
    table = SearchDocument.__table__.c  # type: ignore[attr-defined]
    changed = or_(*(table[name].is_distinct_from(statement.excluded[name]) for name in _UPDATED))
    return statement.on_conflict_do_update(
        index_elements=["kind", "target_id"],
        set_={name: statement.excluded[name] for name in _UPDATED},
        where=changed,
    )


# Built once: compiling an upsert on every write cost more than running it.
_UPSERT = {name: _upsert(name) for name in ("postgresql", "sqlite")}


def save_documents(session: Session, documents: list[Document]) -> None:
    """Insert or replace documents, whatever the engine."""
    if not documents:
        return
    dialect = session.get_bind().dialect.name
    # FTS5 writes out its pending terms whenever a rowid (the recency) is lower than the one
    # before: in recency order a batch is written once, not once per row (reindex: 30x).
    documents = sorted(documents, key=lambda document: document["recency"])
    upsert = _UPSERT["postgresql" if dialect == "postgresql" else "sqlite"]
    session.connection().execute(upsert, documents)


def remove_document(session: Session, kind: SearchKind, target_id: int | None) -> None:
    session.execute(
        delete(SearchDocument).where(
            col(SearchDocument.kind) == kind.value, col(SearchDocument.target_id) == target_id
        )
    )


# --- rebuilding ---------------------------------------------------------------------------------

BATCH = 2000
Batches = Callable[[Session], Iterator[list[Document]]]


def _batches(session: Session, model: Any, columns: tuple[Any, ...], where: tuple[Any, ...] = (),
             join: tuple[Any, ...] = ()) -> Iterator[list[Any]]:  # fmt: skip
    """Rows of just the columns a document needs (loading whole objects cost more than
    building the documents), in batches by id."""
    after = 0
    while True:
        query: Any = sa_select(*columns)
        if join:
            query = query.join(*join)
        query = query.where(model.id > after, *where).order_by(model.id).limit(BATCH)
        rows = list(session.execute(query))
        if not rows:
            return
        yield rows
        last = rows[-1]
        after = last.id if hasattr(last, "id") else last[0].id


_POST_COLUMNS = (Post.id, Post.title, Post.body, Post.published_at, Post.space_id, Post.author_id)


def _post_documents(session: Session) -> Iterator[list[Document]]:
    alive = (col(Post.deleted_at).is_(None),)
    for posts in _batches(session, Post, _POST_COLUMNS, alive):
        yield [post_document(p) for p in posts]


def _comment_documents(session: Session) -> Iterator[list[Document]]:
    columns: tuple[Any, ...] = (
        Comment.id,
        Comment.body,
        Comment.created_at,
        Comment.author_id,
        Comment.post_id,
        col(Post.title).label("post_title"),
        col(Post.space_id).label("post_space_id"),
    )
    alive = (col(Comment.deleted_at).is_(None),)
    on_post = (Post, col(Post.id) == Comment.post_id)
    for comments in _batches(session, Comment, columns, alive, on_post):
        yield [
            comment_document(c, _CommentedPost(c.post_id, c.post_title, c.post_space_id))
            for c in comments
        ]


def _simple(
    model: Any, make: Callable[[Any], Document]
) -> Callable[[Session], Iterator[list[Document]]]:
    def documents(session: Session) -> Iterator[list[Document]]:
        for rows in _batches(session, model, (model,)):
            yield [make(row[0]) for row in rows]

    return documents


SOURCES: dict[SearchKind, tuple[Any, Batches]] = {
    SearchKind.post: (Post, _post_documents),
    SearchKind.comment: (Comment, _comment_documents),
    SearchKind.protocol: (Protocol, _simple(Protocol, protocol_document)),
    SearchKind.event: (Event, _simple(Event, event_document)),
    SearchKind.space: (Space, _simple(Space, space_document)),
    SearchKind.person: (User, _simple(User, person_document)),
}


def _alive(model: Any) -> Any:
    """Ids of the rows of a source that should have a document (deleted posts and comments
    keep their row but lose their document)."""
    alive = select(model.id)
    if model in (Post, Comment):
        alive = alive.where(col(model.deleted_at).is_(None))
    return alive


def source_count(session: Session, kind: SearchKind) -> int:
    alive = _alive(SOURCES[kind][0]).subquery()
    return int(session.exec(select(func.count()).select_from(alive)).one())


def indexed_counts(session: Session, kind: SearchKind) -> tuple[int, int]:
    """(documents of a live source, documents whose source is gone) of one kind."""
    of_kind = col(SearchDocument.kind) == kind.value
    live = col(SearchDocument.target_id).in_(_alive(SOURCES[kind][0]))
    indexed = session.exec(select(func.count()).where(of_kind, live)).one()
    total = session.exec(select(func.count()).where(of_kind)).one()
    return int(indexed), int(total - indexed)


_FTS_TRIGGERS = (
    "SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name LIKE 'search_documents_fts_%'"
)


@contextmanager
def _fts_rebuilt_at_the_end(engine: Engine) -> Iterator[None]:
    """SQLite, bulk loads only: write documents without the FTS5 triggers, then build the
    full-text index from them in one pass ('rebuild') and put the triggers back. Row by row
    through the triggers, FTS5 merges its segments over and over: 55,000 documents took 370 s
    of a loaded machine that way and 6 s this way."""
    if engine.dialect.name != "sqlite":
        yield
        return
    with engine.begin() as conn:
        triggers = [row[0] for row in conn.exec_driver_sql(_FTS_TRIGGERS)]
        for name in ("insert", "update", "delete"):
            conn.exec_driver_sql(f"DROP TRIGGER IF EXISTS search_documents_fts_{name}")
    try:
        yield
    finally:
        with engine.begin() as conn:
            cache = int(conn.exec_driver_sql("PRAGMA cache_size").scalar() or -2000)
            conn.exec_driver_sql("PRAGMA cache_size=-262144")  # the build's pages, 256 MB at most
            conn.exec_driver_sql("INSERT INTO search_fts(search_fts) VALUES ('rebuild')")
            for statement in triggers:
                conn.exec_driver_sql(statement)
            conn.exec_driver_sql(f"PRAGMA cache_size={cache}")


def reindex(
    progress: Callable[[SearchKind, int], None] = lambda kind, n: None, *, bulk: bool = False
) -> None:
    """Rebuild every document, one short transaction per batch (the site keeps running), then
    drop documents whose source is gone. `progress(kind, n)` hears of each batch of n.
    `bulk` (seed-demo, right after loading rows that bypassed the index): on SQLite the
    full-text index is built once at the end, not row by row (searches are wrong until then)."""
    with _fts_rebuilt_at_the_end(get_engine()) if bulk else nullcontext():
        _write_all(progress)


def _write_all(progress: Callable[[SearchKind, int], None]) -> None:
    engine = get_engine()
    for kind, (model, documents) in SOURCES.items():
        with Session(engine) as reader:
            for batch in documents(reader):
                with Session(engine) as writer:
                    save_documents(writer, batch)
                    writer.commit()
                progress(kind, len(batch))
        with Session(engine) as writer:
            writer.execute(
                delete(SearchDocument).where(
                    col(SearchDocument.kind) == kind.value,
                    col(SearchDocument.target_id).not_in(_alive(model)),
                )
            )
            writer.commit()
