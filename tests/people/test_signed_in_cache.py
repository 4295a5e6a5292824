"""Who is signed in, remembered for a second: never a stale answer after a write (issue 19)."""

import time
from collections.abc import Iterator
from datetime import timedelta

import pytest
from sqlalchemy import create_engine, update
from sqlmodel import Session, col

from app.core import signed_in_cache
from app.core.config import get_settings
from app.core.db import get_engine, utcnow
from app.core.security import SESSION_COOKIE, hash_token
from app.people.models import AuthSession, User
from tests.conftest import TEST_DATABASE_URL, WebClient
from tests.factories import make_user

AGE = 1.0  # seconds: the longest allowed, so every test but the last would see a stale answer


@pytest.fixture(autouse=True)
def _remembering(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("AGORA_SIGNED_IN_CACHE_SECONDS", str(AGE))
    get_settings.cache_clear()
    signed_in_cache.forget_all()
    yield
    monkeypatch.undo()
    get_settings.cache_clear()
    signed_in_cache.forget_all()


def _signed_in(client: WebClient) -> bool:
    return client.get("/ping", follow_redirects=False).status_code == 200


def test_a_remembered_session_costs_no_query(session, login, count_queries):
    client = login(make_user(session))
    assert _signed_in(client)
    with count_queries() as statements:
        assert _signed_in(client)
    assert statements == []


def test_signing_out_is_seen_by_the_next_request(session, login, app):
    client = login(make_user(session))
    cookie = client.cookies.get(SESSION_COOKIE)
    assert _signed_in(client)  # remembered now
    client.form("/logout")
    with WebClient(app, base_url="http://testserver") as old_browser:
        old_browser.cookies.set(SESSION_COOKIE, cookie)
        assert not _signed_in(old_browser)


def test_deactivation_is_seen_by_the_next_request(session, login):
    admin, person = make_user(session, admin=True), make_user(session)
    browser, admin_browser = login(person), login(admin)
    assert _signed_in(browser)
    response = admin_browser.form(f"/admin/people/{person.id}/active", {})
    assert response.status_code == 303
    assert not _signed_in(browser)


def test_a_changed_language_is_served_at_once(session, login):
    person = make_user(session)
    browser = login(person)
    assert browser.get("/").status_code == 200
    session.execute(update(User).where(col(User.id) == person.id).values(locale="de"))
    session.commit()
    assert 'lang="de"' in browser.get("/").text


def test_another_process_s_sign_out_is_seen_within_the_bound(session, login):
    person = make_user(session)
    browser = login(person)
    assert _signed_in(browser)
    # Another process: its own engine, whose writes this process cannot see happen.
    elsewhere = create_engine(TEST_DATABASE_URL)
    try:
        with Session(elsewhere) as other:
            other.execute(update(User).where(col(User.id) == person.id).values(is_active=False))
            other.commit()
    finally:
        elsewhere.dispose()
    time.sleep(AGE + 0.05)
    assert not _signed_in(browser)


def test_an_answer_read_before_a_write_is_not_kept(session):
    person = make_user(session)
    session.commit()
    since = time.monotonic()
    session.execute(update(AuthSession).values(expires_at=utcnow()))  # any write to sessions
    session.commit()
    signed_in_cache.remember("token", utcnow() + timedelta(days=1), person, since=since)
    assert signed_in_cache.lookup("token", utcnow(), max_age=AGE) is None


def test_an_expired_session_is_not_served_from_memory(session):
    person = make_user(session)
    session.commit()
    signed_in_cache.watch(get_engine())
    expires = utcnow() + timedelta(seconds=1)
    signed_in_cache.remember("token", expires, person, since=time.monotonic())
    found = signed_in_cache.lookup("token", utcnow(), max_age=AGE)
    assert found is not None and found.id == person.id and found is not person
    assert signed_in_cache.lookup("token", expires + timedelta(seconds=1), max_age=AGE) is None


def test_each_request_gets_its_own_copy_it_may_add_to_its_session(session):
    person = make_user(session)
    session.commit()
    signed_in_cache.remember(hash_token("t"), utcnow() + timedelta(days=1), person, since=0.0)
    signed_in_cache.forget_all()
    signed_in_cache.remember(
        hash_token("t"), utcnow() + timedelta(days=1), person, since=time.monotonic()
    )
    first = signed_in_cache.lookup(hash_token("t"), utcnow(), max_age=AGE)
    second = signed_in_cache.lookup(hash_token("t"), utcnow(), max_age=AGE)
    assert first is not None and second is not None and first is not second
    with Session(get_engine()) as other:
        other.add(first)  # detached with its identity: updates the row, never inserts a copy
        first.title = "Changed"
        other.commit()
    session.expire_all()
    assert session.get(User, person.id).title == "Changed"  # type: ignore[union-attr]
