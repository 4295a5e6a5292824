"""Settings → Notifications, one-click unsubscribe, and the admin's mail page."""

import time

from app.mail.preferences import EMAIL_KINDS, choices
from app.mail.schemas import NotificationsForm
from app.mail.unsubscribe import VALID_SECONDS, make_token
from tests.factories import make_user


def test_the_settings_page_shows_the_defaults(session, login):
    person = make_user(session)
    page = login(person).get("/settings/notifications")
    assert page.status_code == 200
    assert (
        'name="email_mention" value="immediately" aria-labelledby="kind-mention mode-immediately" '
        "checked" in page.text
    )
    assert 'value="weekly" selected' in page.text
    assert "sends no email yet" in page.text  # no AGORA_SMTP_URL in the tests


def test_saving_choices(session, login):
    person = make_user(session)
    client = login(person)
    form = {"digest": "daily", "email_mention": "off", "email_reply": "immediately"}
    response = client.form("/settings/notifications", form)
    assert response.status_code == 303
    session.expire_all()
    saved = choices(session, user_id=person.id)
    assert saved.digest == "daily"
    assert saved.mode("mention") == "off" and saved.mode("reply") == "immediately"
    assert saved.mode("action_item") == "immediately"  # not in the form: the default stays


def test_a_bad_choice_is_refused_and_nothing_is_saved(session, login):
    person = make_user(session)
    client = login(person)
    response = client.form("/settings/notifications", {"digest": "hourly"})
    assert response.status_code == 422
    assert "daily, weekly or off" in response.text
    response = client.form("/settings/notifications", {"digest": "daily", "email_kudos": "loud"})
    assert response.status_code == 422
    session.expire_all()
    assert choices(session, user_id=person.id).digest == "weekly"


def test_the_settings_page_needs_a_sign_in(client):
    assert client.get("/settings/notifications", follow_redirects=False).status_code == 303


def test_one_click_unsubscribe_works_without_signing_in(session, client):
    person = make_user(session)
    token = make_token(person.id, "mention")
    page = client.get(f"/unsubscribe/{token}")
    assert page.status_code == 200 and 'method="post"' in page.text
    response = client.post(f"/unsubscribe/{token}", data={"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200
    session.expire_all()
    assert choices(session, user_id=person.id).mode("mention") == "off"
    assert choices(session, user_id=person.id).mode("action_item") == "immediately"


def test_unsubscribing_from_the_digest(session, client):
    person = make_user(session)
    client.post(f"/unsubscribe/{make_token(person.id, 'digest')}")
    session.expire_all()
    assert choices(session, user_id=person.id).digest == "off"


def test_a_forged_or_expired_unsubscribe_link_changes_nothing(session, client):
    person = make_user(session)
    token = make_token(person.id, "mention")
    forged = token[:-2] + ("00" if not token.endswith("00") else "11")
    expired = make_token(person.id, "mention", now=time.time() - VALID_SECONDS - 10)
    other_kind = make_token(person.id, "everything")
    for bad in (forged, expired, other_kind, "garbage", "a.b"):
        assert client.post(f"/unsubscribe/{bad}").status_code == 404
        assert client.get(f"/unsubscribe/{bad}").status_code == 404
    session.expire_all()
    assert choices(session, user_id=person.id).mode("mention") == "immediately"


def test_the_admin_mail_page_says_when_no_mail_is_sent(session, login):
    admin, member = make_user(session, admin=True), make_user(session)
    page = login(admin).get("/admin/mail")
    assert page.status_code == 200 and "AGORA_SMTP_URL is not set" in page.text
    assert login(member).get("/admin/mail").status_code == 403


def test_the_settings_form_names_every_kind_of_email():
    named = {name.removeprefix("email_") for name in NotificationsForm.model_fields}
    assert set(EMAIL_KINDS) <= named


def test_a_refused_choice_keeps_the_other_choices_made(session, login):
    person = make_user(session)
    client = login(person)
    response = client.form(
        "/settings/notifications", {"digest": "daily", "email_mention": "off", "email_kudos": "x"}
    )
    assert response.status_code == 422
    assert 'value="daily" selected' in response.text
    assert 'name="email_mention" value="off" aria-labelledby="kind-mention mode-off" checked' in (
        response.text
    )
    session.expire_all()
    assert choices(session, user_id=person.id).mode("mention") == "immediately"
