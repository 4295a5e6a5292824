"""A token's "last used" time: written after the answer, once per interval, never a failure."""

import logging
from datetime import timedelta

import pytest
from sqlalchemy import event
from sqlalchemy.exc import OperationalError
from sqlmodel import Session, select

from app.api.token_use import PRECISION, TokenUse, record_token_use
from app.core.db import get_engine, utcnow
from app.core.security import hash_token
from app.people.models import ApiToken
from app.people.service import set_active
from tests.factories import make_token, make_user


def _stored(session: Session, token: str) -> ApiToken:
    session.rollback()  # end the test session's snapshot: the write came from another session
    session.expire_all()
    return session.exec(select(ApiToken).where(ApiToken.token_hash == hash_token(token))).one()


def _updates(statements: list[str]) -> list[str]:
    return [s for s in statements if s.lstrip().upper().startswith("UPDATE")]


def test_the_first_call_records_when_the_token_was_used(session, api):
    token = make_token(session, user=make_user(session))
    assert _stored(session, token).last_used_at is None
    before = utcnow()

    response = api(token=token).get("/api/v1/me")

    assert response.status_code == 200
    used = _stored(session, token).last_used_at
    assert used is not None and before <= used <= utcnow()


def test_calls_within_the_interval_write_nothing_more(session, api, count_queries):
    token = make_token(session, user=make_user(session))
    client = api(token=token)
    client.get("/api/v1/me")
    first = _stored(session, token).last_used_at
    assert first is not None

    with count_queries() as statements:
        for _ in range(3):
            assert client.get("/api/v1/me").status_code == 200

    assert _updates(statements) == []
    assert _stored(session, token).last_used_at == first


def test_a_call_after_the_interval_records_the_new_time(session, api, count_queries):
    token = make_token(session, user=make_user(session))
    stored = _stored(session, token)
    long_ago = utcnow() - PRECISION - timedelta(seconds=1)
    stored.last_used_at = long_ago
    session.add(stored)
    session.commit()

    with count_queries() as statements:
        assert api(token=token).get("/api/v1/me").status_code == 200

    assert len(_updates(statements)) == 1
    assert _stored(session, token).last_used_at > long_ago + PRECISION


def test_an_error_answer_still_counts_as_a_use(session, api):
    token = make_token(session, user=make_user(session))

    response = api(token=token).get("/api/v1/posts/999999")

    assert response.status_code == 404
    assert _stored(session, token).last_used_at is not None


def test_a_write_that_lost_a_race_keeps_the_newer_time(session):
    token = make_token(session, user=make_user(session))
    stored = _stored(session, token)
    stored.last_used_at = newer = utcnow()
    session.add(stored)
    session.commit()
    # Another process read "never used" and writes its (slightly older) time after ours.
    late = TokenUse(engine=get_engine(), token_id=stored.id, used_at=newer - timedelta(seconds=1))

    record_token_use(late)

    assert _stored(session, token).last_used_at == newer


@pytest.mark.parametrize("refused", ["revoked", "deactivated"])
def test_a_refused_token_answers_401_and_writes_nothing(session, api, count_queries, refused):
    admin, me = make_user(session, admin=True), make_user(session)
    token = make_token(session, user=me)
    if refused == "revoked":
        stored = _stored(session, token)
        stored.revoked_at = utcnow()
        session.add(stored)
    else:
        set_active(session, user=me, active=False, actor=admin)
    session.commit()

    with count_queries() as statements:
        response = api(token=token).get("/api/v1/me")

    assert response.status_code == 401
    assert _updates(statements) == []
    assert _stored(session, token).last_used_at is None


def test_a_failed_write_is_logged_and_the_call_still_answers(session, api, caplog):
    me = make_user(session)
    token = make_token(session, user=me)
    client = api(token=token)

    def locked(_conn, _cursor, statement, *_args):  # type: ignore[no-untyped-def]
        if statement.lstrip().upper().startswith("UPDATE API_TOKENS"):
            raise OperationalError(statement, None, Exception("database is locked"))

    event.listen(get_engine(), "before_cursor_execute", locked)
    try:
        with caplog.at_level(logging.INFO, logger="app.api.token_use"):
            response = client.get("/api/v1/me")
    finally:
        event.remove(get_engine(), "before_cursor_execute", locked)

    assert response.status_code == 200
    assert response.json()["id"] == me.id
    assert "database is locked" in caplog.text
    assert _stored(session, token).last_used_at is None
    # Nothing is left behind that would stop the next call from trying again.
    assert client.get("/api/v1/me").status_code == 200
    assert _stored(session, token).last_used_at is not None
