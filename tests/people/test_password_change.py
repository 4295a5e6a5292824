"""Changing one's password ends every other sign-in, and revokes API tokens when asked."""

from sqlmodel import select

from app.core.security import SESSION_COOKIE, verify_password
from app.people.models import ApiToken, AuthSession, User
from tests.conftest import PASSWORD
from tests.factories import make_token, make_user

NEW_PASSWORD = "a-brand-new-passphrase"


def _signed_in(client) -> bool:
    return client.get("/settings", follow_redirects=False).status_code == 200


def _api_answers(client, token: str) -> int:
    return client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}).status_code


def test_changing_the_password_signs_out_every_other_browser(session, login):
    person, bystander = make_user(session), make_user(session)
    here, elsewhere, theirs = login(person), login(person), login(bystander)
    cookie_before = here.cookies.get(SESSION_COOKIE)

    response = here.form(
        "/settings/password", {"current_password": PASSWORD, "new_password": NEW_PASSWORD}
    )

    assert response.status_code == 303
    assert not _signed_in(elsewhere)
    assert _signed_in(here)
    assert here.cookies.get(SESSION_COOKIE) != cookie_before  # the kept sign-in is a new one
    assert _signed_in(theirs)  # other people's sessions are untouched
    rows = session.exec(select(AuthSession).where(AuthSession.user_id == person.id)).all()
    assert len(rows) == 1
    notice = here.get(response.headers["location"]).text
    assert "Every other sign-in has ended." in notice


def test_a_wrong_current_password_changes_nothing(session, login):
    person = make_user(session)
    here, elsewhere = login(person), login(person)
    response = here.form(
        "/settings/password", {"current_password": "not-my-password", "new_password": NEW_PASSWORD}
    )
    assert response.status_code == 422
    error = response.text.split('id="current_password-error"', 1)[1].split("</p>", 1)[0]
    assert "Your current password is not right" in error
    assert "not-my-password" not in response.text and NEW_PASSWORD not in response.text
    assert _signed_in(elsewhere) and _signed_in(here)
    session.expire_all()
    assert verify_password(session.get(User, person.id).password_hash, PASSWORD)


def test_a_password_longer_than_any_form_sends_is_refused_before_anything_runs(session, login):
    person = make_user(session)
    client = login(person)
    response = client.form(
        "/settings/password", {"current_password": PASSWORD, "new_password": "x" * 1001}
    )
    assert response.status_code == 422
    session.expire_all()
    assert verify_password(session.get(User, person.id).password_hash, PASSWORD)


def test_api_tokens_are_revoked_only_when_asked(session, login):
    person, bystander = make_user(session), make_user(session)
    mine = [make_token(session, user=person) for _ in range(2)]
    theirs = make_token(session, user=bystander)
    client = login(person)

    form = client.get("/settings").text
    assert "Also revoke my 2 API tokens" in form

    kept = client.form(
        "/settings/password", {"current_password": PASSWORD, "new_password": NEW_PASSWORD}
    )
    assert kept.status_code == 303
    assert [_api_answers(client, t) for t in mine] == [200, 200]

    revoked = client.form(
        "/settings/password",
        {"current_password": NEW_PASSWORD, "new_password": PASSWORD, "revoke_tokens": "true"},
    )
    assert revoked.status_code == 303
    assert [_api_answers(client, t) for t in mine] == [401, 401]
    assert _api_answers(client, theirs) == 200
    assert "2 API tokens were revoked." in client.get(revoked.headers["location"]).text
    assert all(
        t.revoked_at is not None
        for t in session.exec(select(ApiToken).where(ApiToken.user_id == person.id))
    )
    # Nothing left to revoke: the form stops offering it.
    assert "revoke_tokens" not in client.get("/settings").text


def test_the_offer_reads_well_in_german(session, login):
    person = make_user(session, locale="de")
    make_token(session, user=person)
    client = login(person)
    assert "Auch 1 API-Token widerrufen" in client.get("/settings").text
