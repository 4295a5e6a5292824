"""A reaction is one statement: INSERT ... ON CONFLICT DO NOTHING, not read, savepoint, insert.

On PostgreSQL every statement is a round trip; a like cost four before its counts were read.
"""

from sqlmodel import Session, select

from app.core.db import get_engine
from app.posts import service
from app.posts.models import Reaction, ReactionKind
from tests.dbutil import statements_sent
from tests.factories import make_post, make_space, make_user


def test_a_like_is_written_by_one_insert_without_a_savepoint(session):
    author, fan = make_user(session), make_user(session)
    post = make_post(session, author=author, space=make_space(session, host=author))
    with statements_sent(get_engine()) as statements:
        counts = service.react(session, user=fan, post_id=post.id, kind="like")
    sent = [statement.split()[0].upper() for statement in statements]
    assert counts == {"like": 1}
    assert sent.count("INSERT") == 1
    assert "SAVEPOINT" not in sent and "RELEASE" not in sent


def test_a_like_a_parallel_request_stored_first_changes_nothing_and_publishes_nothing(
    session, monkeypatch
):
    author, fan = make_user(session), make_user(session)
    post = make_post(session, author=author, space=make_space(session, host=author))
    with Session(get_engine()) as other:  # the parallel request, committed first
        other.add(Reaction(post_id=post.id, user_id=fan.id, kind=ReactionKind.like))  # type: ignore[arg-type]
        other.commit()
    published: list[object] = []
    monkeypatch.setattr(service, "publish", lambda _session, fact: published.append(fact))
    assert service.react(session, user=fan, post_id=post.id, kind="like") == {"like": 1}
    session.commit()
    assert published == []
    assert len(session.exec(select(Reaction)).all()) == 1


def test_taking_a_like_back_deletes_only_that_reaction(session):
    author, fan = make_user(session), make_user(session)
    post = make_post(session, author=author, space=make_space(session, host=author))
    service.react(session, user=fan, post_id=post.id, kind="like")
    service.react(session, user=fan, post_id=post.id, kind="thanks")
    service.react(session, user=author, post_id=post.id, kind="like")
    counts = service.react(session, user=fan, post_id=post.id, kind="like", on=False)
    assert counts == {"like": 1, "thanks": 1}
    assert service.react(session, user=fan, post_id=post.id, kind="like", on=False) == counts
