"""Notifications are stored in English and worded for each reader when listed."""

from sqlmodel import select

from app.notifications.models import Notification
from app.notifications.service import notify
from app.recognition.kudos import give_kudos
from tests.factories import make_user


def test_kudos_notifications_speak_the_readers_language(session, login):
    giver = make_user(session, name="Grete Giver")
    english = make_user(session, locale="en")
    german = make_user(session, locale="de")
    give_kudos(session, giver=giver, receiver_ids=[english.id, german.id], message="Super Arbeit!")
    session.commit()

    stored = session.exec(select(Notification).where(Notification.user_id == german.id)).one()
    assert stored.text == "Grete Giver gave you kudos: “Super Arbeit!”"
    assert stored.kudos_id is not None

    in_german = login(german).get("/notifications").text
    assert "Grete Giver hat dir Kudos gegeben: „Super Arbeit!“" in in_german
    assert "gave you kudos" not in in_german
    in_english = login(english).get("/notifications").text
    assert "Grete Giver gave you kudos: “Super Arbeit!”" in in_english


def test_a_renamed_giver_is_shown_by_their_current_name(session, login):
    giver, reader = make_user(session, name="Old Name"), make_user(session, locale="de")
    give_kudos(session, giver=giver, receiver_ids=[reader.id], message="Danke")
    giver.display_name = "New Name"
    session.add(giver)
    session.commit()

    assert "New Name hat dir Kudos gegeben" in login(reader).get("/notifications").text


def test_kudos_notifications_from_before_keep_their_stored_text(session, login):
    giver, reader = make_user(session), make_user(session, locale="de")
    notify(
        session,
        user_id=reader.id,
        kind="kudos",
        text="Someone gave you kudos: “old”",
        url=f"/people/{reader.id}#kudos",
        actor_id=giver.id,
    )
    session.commit()

    assert "Someone gave you kudos: “old”" in login(reader).get("/notifications").text
