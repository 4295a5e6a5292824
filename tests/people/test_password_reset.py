"""Password resets: one-time, expiring links; the same answer for every address; throttled;
every session ends; audited; the admin's copy-a-link path; no reset for single sign-on."""

from datetime import timedelta

import pytest
from sqlmodel import select

from app.core.config import get_settings
from app.core.db import utcnow
from app.core.errors import Invalid, NotFound, TooManyRequests
from app.core.security import verify_password
from app.people.models import AuditEntry, AuthSession, PasswordReset, User
from app.people.resets import service as resets
from tests.conftest import PASSWORD
from tests.factories import make_user

NEW_PASSWORD = "a-brand-new-passphrase"


@pytest.fixture
def mail_on(monkeypatch: pytest.MonkeyPatch):
    # Nothing listens there: these tests look at the outbox, not at delivery (tests/mail does).
    monkeypatch.setenv("AGORA_SMTP_URL", "smtp://127.0.0.1:9")
    get_settings.cache_clear()
    yield
    monkeypatch.delenv("AGORA_SMTP_URL")
    get_settings.cache_clear()


def _signed_in(client) -> bool:
    return client.get("/settings", follow_redirects=False).status_code == 200


def _reset_link(session, person: User) -> str:
    token = resets.create_reset(session, user=person)
    session.commit()
    return f"/reset/{token}"


# --- the service ------------------------------------------------------------------------------


def test_only_a_keyed_hash_of_the_link_is_stored(session):
    person = make_user(session)
    token = resets.create_reset(session, user=person)
    row = session.exec(select(PasswordReset)).one()
    assert token not in row.token_hash and row.token_hash != token
    assert row.token_hash == resets._token_hash(token)
    assert len(row.token_hash) == 64


def test_an_account_without_a_password_gets_no_reset(session):
    sso_person = make_user(session)
    sso_person.password_hash = None
    session.add(sso_person)
    with pytest.raises(Invalid):
        resets.create_reset(session, user=sso_person)


def test_a_request_for_an_unknown_or_passwordless_address_sends_nothing(session, mail_on):
    sso_person = make_user(session)
    sso_person.password_hash = None
    session.add(sso_person)
    resets.request_reset(session, email="nobody@example.com", address="10.0.0.1")
    resets.request_reset(session, email=sso_person.email, address="10.0.0.1")
    assert session.exec(select(PasswordReset)).all() == []


def test_requests_are_throttled_per_address_asked_for(session, mail_on):
    person = make_user(session)
    for n in range(get_settings().password_reset_max_per_account):
        resets.request_reset(session, email=person.email, address=f"10.0.0.{n}")
    with pytest.raises(TooManyRequests):
        resets.request_reset(session, email=person.email, address="10.0.0.99")
    # The same for an address without an account: the limit tells no one who has one.
    for _n in range(get_settings().password_reset_max_per_account):
        resets.request_reset(session, email="ghost@example.com", address="10.0.1.1")
    with pytest.raises(TooManyRequests):
        resets.request_reset(session, email="ghost@example.com", address="10.0.1.2")


def test_requests_share_the_sign_in_limit_per_client_address(session, mail_on, monkeypatch):
    monkeypatch.setattr(get_settings(), "login_max_failures_per_address", 4)
    for n in range(4):
        resets.request_reset(session, email=f"someone{n}@example.com", address="10.9.9.9")
    with pytest.raises(TooManyRequests):
        resets.request_reset(session, email="another@example.com", address="10.9.9.9")
    resets.request_reset(session, email="another@example.com", address="10.9.9.10")


def test_completing_a_reset_spends_every_open_link_and_is_audited(session):
    person = make_user(session)
    first = resets.create_reset(session, user=person)
    second = resets.create_reset(session, user=person)
    resets.complete_reset(session, token=first, password=NEW_PASSWORD)
    session.commit()
    assert verify_password(person.password_hash, NEW_PASSWORD)
    with pytest.raises(NotFound):
        resets.reset_for(session, second)
    actions = session.exec(select(AuditEntry.action).where(AuditEntry.target_id == person.id)).all()
    assert "user.password_reset" in actions


def test_changing_the_password_spends_open_links(session, login):
    person = make_user(session)
    link = _reset_link(session, person)
    client = login(person)
    client.form("/settings/password", {"current_password": PASSWORD, "new_password": NEW_PASSWORD})
    assert client.get(link).status_code == 404


# --- the pages --------------------------------------------------------------------------------


def test_the_sign_in_page_offers_a_reset(client):
    page = client.get("/login").text
    assert 'href="/forgot-password"' in page


def test_without_mail_the_page_points_to_an_admin(client):
    page = client.get("/forgot-password").text
    assert "Ask an administrator" in page
    assert 'action="/forgot-password"' not in page
    response = client.form("/forgot-password", {"email": "someone@example.com"})
    assert response.status_code == 409


def test_every_address_gets_the_same_answer(session, client, mail_on):
    person = make_user(session, email="ann@example.com")
    session.commit()
    known = client.form("/forgot-password", {"email": person.email})
    unknown = client.form("/forgot-password", {"email": "bob@example.com"})
    assert known.status_code == unknown.status_code == 200
    assert known.text.replace(person.email, "X") == unknown.text.replace("bob@example.com", "X")
    assert len(session.exec(select(PasswordReset)).all()) == 1


def test_an_address_longer_than_any_form_sends_is_refused_and_sends_nothing(
    session, client, mail_on
):
    response = client.form("/forgot-password", {"email": "a" * 250 + "@example.com"})
    assert response.status_code == 422
    assert session.exec(select(PasswordReset)).all() == []


def test_too_many_requests_answer_429(session, client, mail_on):
    for _n in range(get_settings().password_reset_max_per_account):
        assert client.form("/forgot-password", {"email": "x@example.com"}).status_code == 200
    response = client.form("/forgot-password", {"email": "x@example.com"})
    assert response.status_code == 429
    assert "Too many requests" in response.text


def test_a_reset_sets_the_password_and_ends_every_other_session(session, client, login):
    person = make_user(session)
    elsewhere = login(person)
    link = _reset_link(session, person)

    page = client.get(link)
    assert page.status_code == 200
    assert page.headers["referrer-policy"] == "no-referrer"
    assert person.email in page.text
    response = client.form(link, {"password": NEW_PASSWORD})

    assert response.status_code == 303
    assert response.headers["location"].startswith("/settings?password=1")
    assert _signed_in(client)
    assert not _signed_in(elsewhere)
    session.expire_all()
    assert len(session.exec(select(AuthSession).where(AuthSession.user_id == person.id)).all()) == 1
    assert login(person, password=NEW_PASSWORD)


def test_a_used_link_works_once(session, client):
    person = make_user(session)
    link = _reset_link(session, person)
    assert client.form(link, {"password": NEW_PASSWORD}).status_code == 303
    again = client.form(link, {"password": "yet-another-passphrase"})
    assert again.status_code == 404
    assert "not valid any more" in again.text
    session.expire_all()
    assert verify_password(session.get(User, person.id).password_hash, NEW_PASSWORD)


def test_an_expired_link_is_refused(session, client):
    person = make_user(session)
    link = _reset_link(session, person)
    row = session.exec(select(PasswordReset)).one()
    row.expires_at = utcnow() - timedelta(seconds=1)
    session.add(row)
    session.commit()
    assert client.get(link).status_code == 404
    assert client.form(link, {"password": NEW_PASSWORD}).status_code == 404
    session.expire_all()
    assert verify_password(session.get(User, person.id).password_hash, PASSWORD)


def test_a_wrong_token_is_refused(session, client):
    person = make_user(session)
    link = _reset_link(session, person)
    wrong = link[:-4] + ("AAAA" if not link.endswith("AAAA") else "BBBB")
    assert client.get(wrong).status_code == 404
    assert client.form(wrong, {"password": NEW_PASSWORD}).status_code == 404
    assert client.get("/reset/" + "x" * 500).status_code == 404


def test_a_weak_password_is_refused_and_the_link_stays_open(session, client):
    person = make_user(session)
    link = _reset_link(session, person)
    response = client.form(link, {"password": "short"})
    assert response.status_code == 422
    assert "Use at least 10 characters" in response.text
    assert 'aria-invalid="true"' in response.text
    session.expire_all()
    assert session.exec(select(PasswordReset)).one().used_at is None
    assert verify_password(session.get(User, person.id).password_hash, PASSWORD)
    assert client.form(link, {"password": NEW_PASSWORD}).status_code == 303


def test_a_deactivated_persons_link_stops_working(session, client):
    person = make_user(session)
    link = _reset_link(session, person)
    person.is_active = False
    session.add(person)
    session.commit()
    assert client.get(link).status_code == 404


# --- the admin's copy-a-link path --------------------------------------------------------------


def test_an_admin_makes_a_reset_link_for_a_person(session, login, client):
    admin, person = make_user(session, admin=True), make_user(session, name="Pia")
    session.commit()
    page = login(admin)
    listing = page.get("/admin/people").text
    assert f'action="/admin/people/{person.id}/reset-link"' in listing

    response = page.form(f"/admin/people/{person.id}/reset-link")
    assert response.status_code == 200
    base = get_settings().base_url.rstrip("/")
    link = response.text.split(f'value="{base}/reset/')[1].split('"')[0]
    entry = session.exec(
        select(AuditEntry).where(AuditEntry.action == "user.password_reset_link")
    ).one()
    assert entry.actor_id == admin.id and entry.target_id == person.id
    assert client.form(f"/reset/{link}", {"password": NEW_PASSWORD}).status_code == 303


def test_no_reset_link_for_a_single_sign_on_account(session, login):
    admin, person = make_user(session, admin=True), make_user(session)
    person.password_hash = None
    session.add(person)
    session.commit()
    page = login(admin)
    assert f"/admin/people/{person.id}/reset-link" not in page.get("/admin/people").text
    response = page.form(f"/admin/people/{person.id}/reset-link")
    assert response.status_code == 422
    assert session.exec(select(PasswordReset)).all() == []


def test_only_admins_make_reset_links(session, login):
    member, person = make_user(session), make_user(session)
    session.commit()
    response = login(member).form(f"/admin/people/{person.id}/reset-link")
    assert response.status_code in (403, 404)
    assert session.exec(select(PasswordReset)).all() == []
