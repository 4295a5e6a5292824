"""Statements built once take id lists as one value, so their SQL text never changes."""

from sqlalchemy import event
from sqlmodel import col, select

from app.core import prepared
from app.posts.models import Post
from tests.factories import make_post, make_space, make_user


def test_an_id_list_of_any_length_runs_the_same_sql_text(session):
    author = make_user(session)
    space = make_space(session, host=author)
    posts = [make_post(session, author=author, space=space, title=f"p{i}") for i in range(4)]
    statement = select(col(Post.title)).where(col(Post.id).in_(prepared.ids("post_ids")))
    seen: list[str] = []
    engine = session.get_bind()
    listener = lambda _c, _cur, sql, *_rest: seen.append(sql)  # noqa: E731
    event.listen(engine, "before_cursor_execute", listener)
    try:
        found = [
            set(session.exec(statement, params={"post_ids": ids}).all())  # type: ignore[call-overload]
            for ids in ([posts[0].id], [p.id for p in posts], [])
        ]
    finally:
        event.remove(engine, "before_cursor_execute", listener)

    assert found == [{"p0"}, {"p0", "p1", "p2", "p3"}, set()]
    assert len(seen) == 3 and len(set(seen)) == 1
