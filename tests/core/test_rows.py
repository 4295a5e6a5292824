"""Prepared reads (app.core.rows.read): a statement object met again runs its SQL compiled once,
on the DBAPI cursor. It must read exactly what SQLAlchemy's own path reads, on both engines,
and keep what that path gives: the engine's statement listeners, its errors, its conversions."""

import gc
from datetime import UTC, datetime

import pytest
from sqlalchemy import Boolean, cast, column, event, table, union_all
from sqlalchemy.exc import DBAPIError, SQLAlchemyError
from sqlmodel import col, select

from app.core import prepared, rows
from app.core.prepared import NOW, VIEWER
from app.posts.models import Post, PostKind
from app.spaces.models import Space, SpaceRow
from tests.factories import make_post, make_space, make_user


def _statement():  # type: ignore[no-untyped-def]
    """Datetimes, a boolean, an enum and an id list (dates: the home page's events tests)."""
    mine = (
        select(
            col(Post.id),
            col(Post.title),
            col(Post.kind),
            col(Post.published_at),
            col(Post.edited_at),
            cast(col(Post.id) == VIEWER, Boolean).label("flag"),
        )
        .where(col(Post.id).in_(prepared.ids("post_ids")), col(Post.published_at) <= NOW)
        .where(col(Post.kind) == PostKind.discussion)
    )
    return union_all(mine, mine.where(col(Post.id) < 0)).order_by(col(Post.id))


def _via_sqlalchemy(session, statement, params):  # type: ignore[no-untyped-def]
    return [tuple(row) for row in session.connection().execute(statement, params).all()]


def _statements_seen(session):  # type: ignore[no-untyped-def]
    seen: list[str] = []
    listener = lambda _c, _cur, sql, *_rest: seen.append(sql)  # noqa: E731
    event.listen(session.get_bind(), "before_cursor_execute", listener)
    return seen, lambda: event.remove(session.get_bind(), "before_cursor_execute", listener)


def test_a_prepared_read_reads_what_sqlalchemy_reads(session):
    author = make_user(session)
    space = make_space(session, host=author)
    posts = [make_post(session, author=author, space=space, title=f"p{i}") for i in range(3)]
    statement = _statement()
    params = {
        "post_ids": [p.id for p in posts[:2]],
        "viewer_id": posts[0].id,
        "now": datetime.now(UTC),
    }
    expected = _via_sqlalchemy(session, statement, params)
    seen, stop = _statements_seen(session)
    try:
        first = rows.read(session, statement, params)  # met once: SQLAlchemy's own path
        second = rows.read(session, statement, params)  # met again: prepared
    finally:
        stop()
    assert [tuple(r) for r in first] == expected == [tuple(r) for r in second]
    assert len(seen) == 2 and seen[0] == seen[1]  # listeners see it; the same SQL text
    assert rows._prepared(statement, session.get_bind().dialect) is not None
    (one, two) = second
    assert one[0] == posts[0].id and one[5] is True and two[5] is False
    assert one[3].tzinfo is UTC and one[4] is None and one[2] == PostKind.discussion


def test_fetch_cuts_prepared_rows_into_objects(session):
    host = make_user(session)
    spaces = [make_space(session, host=host, name=f"Space {i}") for i in range(2)]
    statement = select(*SpaceRow.columns()).where(col(Space.id).in_(prepared.ids("ids")))
    params = {"ids": [s.id for s in spaces]}
    for _ in range(2):
        found = rows.fetch(session, statement.order_by(col(Space.id)), params, (SpaceRow,))
    assert [space.name for (space,) in found] == ["Space 0", "Space 1"]


def test_errors_are_sqlalchemys_on_the_prepared_path(session):
    statement = select(col(Post.id)).where(col(Post.id) == VIEWER)
    rows.read(session, statement, {"viewer_id": 1})
    assert rows._prepared(statement, session.get_bind().dialect) is not None
    with pytest.raises(SQLAlchemyError, match="A value is required"):
        rows.read(session, statement, {})
    missing = table("no_such_table", column("id"))
    broken = select(missing.c.id).where(missing.c.id == VIEWER)
    for _ in range(2):  # once on SQLAlchemy's path, then prepared
        with pytest.raises(DBAPIError):
            rows.read(session, broken, {"viewer_id": 1})
        session.rollback()
    assert rows._prepared(broken, session.get_bind().dialect) is not None


def test_a_statement_built_for_one_request_is_not_kept(session):
    statement = select(col(Post.id)).where(col(Post.id) == VIEWER)
    rows.read(session, statement, {"viewer_id": 1})
    assert statement in rows._PREPARED
    held = len(rows._PREPARED)
    del statement
    gc.collect()
    assert len(rows._PREPARED) == held - 1


def test_lists_expanded_at_execution_keep_sqlalchemys_path(session):
    author = make_user(session)
    space = make_space(session, host=author)
    post = make_post(session, author=author, space=space, title="listed")
    statement = select(col(Post.title)).where(col(Post.id).in_([post.id, -1]))
    for _ in range(2):
        assert [tuple(r) for r in rows.read(session, statement, {})] == [("listed",)]
    assert rows._prepared(statement, session.get_bind().dialect) is None
