"""Accounts: creation rules, sign-in throttling, invitations, deactivation, tokens."""

import pytest
from sqlmodel import select

from app.core.errors import Invalid, NotFound, TooManyRequests
from app.core.security import start_session, user_for_api_token, user_for_session_token
from app.people import service
from app.people.models import ApiToken, AuditEntry, AuthSession, User
from tests.conftest import PASSWORD
from tests.factories import make_token, make_user


def test_create_user_normalises_email_and_derives_a_unique_handle(session):
    first = service.create_user(
        session, email=" Anna.Schmidt@Example.com ", display_name="Anna", password=PASSWORD
    )
    second = service.create_user(
        session, email="anna.schmidt@other.example", display_name="Anna B", password=PASSWORD
    )
    assert first.email == "anna.schmidt@example.com"
    assert (first.handle, second.handle) == ("anna.schmidt", "anna.schmidt2")


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"email": "not-an-email"}, "email"),
        ({"display_name": "   "}, "display_name"),
        ({"display_name": "x" * 81}, "display_name"),
        ({"password": "short"}, "password"),
        ({"title": "t" * 121}, "title"),
    ],
)
def test_create_user_rejects_bad_input_and_writes_nothing(session, kwargs, field):
    data = {"email": "ok@example.com", "display_name": "OK", "password": PASSWORD, **kwargs}
    with pytest.raises(Invalid) as caught:
        service.create_user(session, **data)
    assert caught.value.field == field
    session.rollback()
    assert session.exec(select(User)).all() == []


def test_duplicate_email_is_refused(session):
    make_user(session, email="dup@example.com")
    with pytest.raises(Invalid, match="already has an account"):
        service.create_user(
            session, email="DUP@example.com", display_name="Again", password=PASSWORD
        )


def test_authenticate_accepts_right_password_and_refuses_wrong(session):
    user = make_user(session)
    assert (
        service.authenticate(session, email=user.email, password=PASSWORD, address="1.1.1.1")
        == user
    )
    assert (
        service.authenticate(session, email=user.email, password="wrong-pass", address="1.1.1.1")
        is None
    )
    assert (
        service.authenticate(
            session, email="nobody@example.com", password=PASSWORD, address="1.1.1.1"
        )
        is None
    )


def test_too_many_failures_per_account_are_throttled_even_with_the_right_password(session):
    user = make_user(session)
    for _ in range(5):
        assert (
            service.authenticate(session, email=user.email, password="nope-nope", address="2.2.2.2")
            is None
        )
    with pytest.raises(TooManyRequests):
        service.authenticate(session, email=user.email, password=PASSWORD, address="3.3.3.3")


def test_too_many_failures_from_one_address_are_throttled_across_accounts(session):
    for n in range(30):
        service.authenticate(
            session, email=f"guess{n}@example.com", password="x" * 10, address="9.9.9.9"
        )
    user = make_user(session)
    with pytest.raises(TooManyRequests):
        service.authenticate(session, email=user.email, password=PASSWORD, address="9.9.9.9")


def test_deactivated_people_cannot_sign_in(session):
    admin, user = make_user(session, admin=True), make_user(session)
    service.set_active(session, user=user, active=False, actor=admin)
    assert (
        service.authenticate(session, email=user.email, password=PASSWORD, address="4.4.4.4")
        is None
    )


def test_deactivation_ends_sessions_and_tokens_at_once_and_is_audited(session):
    admin, user = make_user(session, admin=True), make_user(session)
    cookie = start_session(session, user=user)
    token = make_token(session, user=user)
    assert user_for_session_token(session, cookie) == user
    assert user_for_api_token(session, token) == user

    service.set_active(session, user=user, active=False, actor=admin)
    session.commit()

    assert user_for_session_token(session, cookie) is None
    assert user_for_api_token(session, token) is None
    assert session.exec(select(AuthSession).where(AuthSession.user_id == user.id)).all() == []
    assert all(
        t.revoked_at for t in session.exec(select(ApiToken).where(ApiToken.user_id == user.id))
    )
    audit = session.exec(select(AuditEntry).where(AuditEntry.action == "user.deactivate")).one()
    assert (audit.actor_id, audit.target_id) == (admin.id, user.id)


def test_admin_cannot_deactivate_themselves(session):
    admin = make_user(session, admin=True)
    with pytest.raises(Invalid):
        service.set_active(session, user=admin, active=False, actor=admin)


def test_invitation_link_sets_the_password_once(session):
    admin = make_user(session, admin=True)
    invitee, token = service.invite_user(
        session, email="new@example.com", display_name="New", invited_by=admin
    )
    session.commit()
    assert invitee.password_hash is None

    service.accept_invitation(session, token=token, password="a-good-password")
    session.commit()

    assert (
        service.authenticate(
            session, email="new@example.com", password="a-good-password", address="5.5.5.5"
        )
        is not None
    )
    with pytest.raises(NotFound):
        service.accept_invitation(session, token=token, password="another-password")


def test_invitation_with_short_password_keeps_the_link_valid(session):
    admin = make_user(session, admin=True)
    _invitee, token = service.invite_user(
        session, email="n2@example.com", display_name="N2", invited_by=admin
    )
    session.commit()
    with pytest.raises(Invalid):
        service.accept_invitation(session, token=token, password="short")
    session.rollback()
    assert service.invitation_for(session, token)[1].email == "n2@example.com"


def test_unknown_invitation_token_is_not_found(session):
    with pytest.raises(NotFound):
        service.invitation_for(session, "made-up")


def test_profile_update_validates_locale_and_time_zone(session):
    user = make_user(session)
    with pytest.raises(Invalid) as caught:
        service.update_profile(
            session,
            user=user,
            display_name="A",
            title="",
            department="",
            locale="fr",
            time_zone="Europe/Berlin",
        )
    assert caught.value.field == "locale"
    with pytest.raises(Invalid) as caught:
        service.update_profile(
            session,
            user=user,
            display_name="A",
            title="",
            department="",
            locale="de",
            time_zone="Mars/Olympus",
        )
    assert caught.value.field == "time_zone"
    service.update_profile(
        session,
        user=user,
        display_name="Änne",
        title="Lead",
        department="Ops",
        locale="de",
        time_zone="Europe/Vienna",
    )
    assert (user.display_name, user.locale, user.time_zone) == ("Änne", "de", "Europe/Vienna")


def test_tokens_are_stored_hashed(session):
    user = make_user(session)
    token = make_token(session, user=user)
    stored = session.exec(select(ApiToken)).one()
    assert token.startswith("agora_")
    assert token not in stored.token_hash
