"""A forgotten password: the reset link arrives by email (HTML and text, in the person's
language) from the real test SMTP server, and works once."""

from sqlmodel import select

from app.mail.models import OutboxMessage
from app.mail.outbox import deliver_outbox
from tests.factories import make_user
from tests.mail.conftest import html_part, text_part

NEW_PASSWORD = "a-brand-new-passphrase"


def _link(text: str) -> str:
    return "/reset/" + text.split("/reset/")[1].split()[0]


def test_the_reset_link_is_mailed_and_sets_a_new_password(session, inbox, client, login):
    person = make_user(session, name="Greta", locale="de")
    session.commit()

    answer = client.form("/forgot-password", {"email": person.email.upper()})
    assert answer.status_code == 200
    deliver_outbox(session)

    [message] = inbox.to(person.email)
    assert message["Subject"] == "Setze dein Passwort für Agora zurück"
    text, html = text_part(message), html_part(message)
    assert "Hallo Greta," in text
    link = _link(text)
    assert link in html and "<a href=" in html
    assert "List-Unsubscribe" not in message  # a reset is no subscription

    assert client.get(link).status_code == 200
    assert client.form(link, {"password": NEW_PASSWORD}).status_code == 303
    assert client.get(link).status_code == 404
    login(person, password=NEW_PASSWORD)


def test_no_mail_for_an_unknown_address_or_a_deactivated_person(session, inbox, client):
    person = make_user(session)
    person.is_active = False
    session.add(person)
    session.commit()
    client.form("/forgot-password", {"email": "nobody@example.com"})
    client.form("/forgot-password", {"email": person.email})
    deliver_outbox(session)
    assert inbox.messages == []
    assert session.exec(select(OutboxMessage)).all() == []
