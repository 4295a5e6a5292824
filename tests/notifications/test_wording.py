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


def _shown_to(login, reader) -> str:
    return login(reader).get("/notifications").text


def test_event_moderation_and_badge_notifications_speak_the_readers_language(session, login):
    from app.events.rsvp import set_rsvp
    from app.events.service import cancel_event
    from app.moderation.service import act_on_flag, flag_post
    from app.recognition.custom_badges import award_badge, create_badge
    from tests.events.factories import make_event
    from tests.factories import make_post, make_space

    admin = make_user(session, admin=True)
    german, english = make_user(session, locale="de"), make_user(session, locale="en")
    space = make_space(session, host=admin, members=(german, english))
    event = make_event(session, host=admin, space=space, title="Sommerfest")
    for person in (german, english):
        set_rsvp(session, user=person, event_id=event.id, status="going")
    cancel_event(session, user=admin, event_id=event.id)
    post = make_post(session, author=german, space=space, title="Mein Beitrag")
    flag = flag_post(session, user=english, post_id=post.id, reason="off topic")
    act_on_flag(session, user=admin, flag_id=flag.id, action="hide", note="Bitte sachlich")
    badge = create_badge(session, actor=admin, name="Brückenbauer")
    for person in (german, english):
        award_badge(session, actor=admin, badge_id=badge.id, person=person, reason="Danke")
    session.commit()

    stored = session.exec(select(Notification.text).where(Notification.user_id == german.id)).all()
    assert "“Sommerfest” was cancelled" in stored
    assert "A moderator hid your post “Mein Beitrag”: Bitte sachlich" in stored
    in_german = _shown_to(login, german)
    assert "„Sommerfest“ wurde abgesagt" in in_german
    assert "Dein Beitrag „Mein Beitrag“ wurde von der Moderation ausgeblendet: Bitte sachlich" in (
        in_german
    )
    assert "Du hast das Abzeichen „Brückenbauer“ erhalten" in in_german
    assert "was cancelled" not in in_german and "You received" not in in_german
    in_english = _shown_to(login, english)
    assert "“Sommerfest” was cancelled" in in_english
    assert "You received the badge “Brückenbauer”" in in_english


def test_a_kind_with_several_wordings_keeps_the_one_it_was_sent_with(session, login):
    reader = make_user(session, locale="de")
    notify(
        session,
        user_id=reader.id,
        kind="moderation",
        message="visible_comment",
        params={"title": "Plan"},
        url="/",
    )
    session.commit()

    stored = session.exec(select(Notification).where(Notification.user_id == reader.id)).one()
    assert stored.text == "Your comment on “Plan” is visible again."
    assert "Dein Kommentar zu „Plan“ ist wieder sichtbar." in _shown_to(login, reader)


def test_a_changed_day_of_a_series_is_dated_in_each_readers_language(session, login):
    from datetime import date

    from app.core.i18n import set_locale
    from app.events.rsvp import set_rsvp
    from app.events.service import update_occurrence
    from tests.events.factories import make_event
    from tests.factories import make_space

    host = make_user(session, locale="de")
    german, english = make_user(session, locale="de"), make_user(session, locale="en")
    space = make_space(session, host=host, members=(german, english))
    event = make_event(
        session,
        host=host,
        space=space,
        title="Stammtisch",
        starts_at="2030-03-05T18:00",
        ends_at="2030-03-05T19:00",
        rrule="FREQ=WEEKLY;BYDAY=TU;COUNT=6",
    )
    day = date(2030, 3, 12)
    for person in (german, english):
        set_rsvp(session, user=person, event_id=event.id, status="going", occurrence_date=day)
    set_locale("de")  # the host changes the day from a German page
    try:
        update_occurrence(
            session,
            user=host,
            event_id=event.id,
            day=date(2030, 3, 12),
            starts_at="2030-03-13T09:00",
        )
        session.commit()
    finally:
        set_locale("en")

    stored = session.exec(select(Notification).where(Notification.user_id == english.id)).one()
    assert stored.text == (
        "“Stammtisch” on Tue, 12 Mar 2030 changed: Wed, 13 Mar 2030, 09:00–10:00 (Europe/Berlin)"
    )
    in_english = _shown_to(login, english)
    assert "on Tue, 12 Mar 2030 changed: Wed, 13 Mar 2030, 09:00–10:00" in in_english
    in_german = _shown_to(login, german)
    assert "am Di., 12. März 2030 wurde geändert: Mi., 13. März 2030, 09:00–10:00" in in_german
    assert "Wed" not in in_german and "Mar 2030" not in in_german
