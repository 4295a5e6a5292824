"""Custom badges given by hand (audited), hiding badges, and what is stored about a person."""

from sqlmodel import select

from app.people.models import AuditEntry
from app.recognition.badges import ensure_builtin_badges
from app.recognition.kudos import give_kudos
from app.recognition.models import Award, Badge, RecognitionSettings
from app.recognition.privacy import recognition_data_for
from app.recognition.service import update_preferences
from tests.factories import make_post, make_space, make_user


def _badge(session, name="Mentor of the quarter"):
    return session.exec(select(Badge).where(Badge.name == name)).one()


def test_admin_creates_a_badge_and_gives_it_with_a_reason(session, login):
    admin, person, viewer = make_user(session, admin=True), make_user(session), make_user(session)
    client = login(admin)
    assert "Mentor" not in client.get("/admin/recognition").text

    created = client.form(
        "/admin/recognition/badges",
        {"name": "Mentor of the quarter", "description": "Helped others grow", "icon": "🧭"},
    )
    badge = _badge(session)
    given = client.form(
        "/admin/recognition/awards",
        {"badge_id": badge.id, "email": person.email, "reason": "Coached three new hires"},
    )
    again = client.form(
        "/admin/recognition/awards",
        {"badge_id": badge.id, "email": person.email, "reason": "Twice"},
    )

    assert (created.status_code, given.status_code, again.status_code) == (303, 303, 409)
    profile = login(viewer).get(f"/people/{person.id}").text.split('id="badges"', 1)[1]
    assert "Mentor of the quarter" in profile and "Coached three new hires" in profile
    actions = set(session.exec(select(AuditEntry.action)).all())
    assert {"badge.create", "badge.award"} <= actions


def test_a_reason_is_required_and_built_in_badges_are_not_given_by_hand(session, login):
    admin, person = make_user(session, admin=True), make_user(session)
    client = login(admin)
    client.form("/admin/recognition/badges", {"name": "Mentor of the quarter"})
    badge = _badge(session)
    leader = ensure_builtin_badges(session)["leader"]
    session.commit()

    no_reason = client.form(
        "/admin/recognition/awards", {"badge_id": badge.id, "email": person.email, "reason": " "}
    )
    builtin = client.form(
        "/admin/recognition/awards",
        {"badge_id": leader.id, "email": person.email, "reason": "Because"},
    )

    assert no_reason.status_code == 422 and "This field is required" in no_reason.text
    assert builtin.status_code == 422 and "granted automatically" in builtin.text
    assert session.exec(select(Award).where(Award.user_id == person.id)).all() == []


def test_a_failed_award_keeps_what_was_typed_in_its_form_only(session, login):
    admin, person = make_user(session, admin=True), make_user(session)
    client = login(admin)
    client.form("/admin/recognition/badges", {"name": "Mentor of the quarter"})
    badge = _badge(session)

    response = client.form(
        "/admin/recognition/awards",
        {"badge_id": badge.id, "email": person.email, "reason": "Ran the guild", "space": "nope"},
    )

    assert response.status_code == 422
    assert "Space not found" in response.text
    assert f'value="{person.email}"' in response.text
    assert 'value="Ran the guild"' in response.text and 'value="nope"' in response.text
    assert f'<option value="{badge.id}" selected>' in response.text
    assert 'id="leader-email" name="email" type="email" required maxlength="254" value=""' in (
        response.text
    )
    assert session.exec(select(Award).where(Award.user_id == person.id)).all() == []


def test_settings_out_of_range_answer_beside_the_field_and_change_nothing(session, login):
    admin = make_user(session, admin=True)

    response = login(admin).form(
        "/admin/recognition/settings", {"early_adopter_count": "0", "kudos_monthly_budget": "7"}
    )

    assert response.status_code == 422
    assert "Choose a number from 1 to 1000" in response.text
    assert 'value="0"' in response.text and 'value="7"' in response.text
    assert session.get(RecognitionSettings, 1) is None


def test_an_unknown_leader_keeps_the_typed_address(session, login):
    admin = make_user(session, admin=True)

    response = login(admin).form(
        "/admin/recognition/leaders", {"email": "nobody@example.com", "title": "CEO"}
    )

    assert response.status_code == 422
    assert "No one with that email address" in response.text
    assert 'value="nobody@example.com"' in response.text and 'value="CEO"' in response.text


def test_admin_takes_back_a_badge_given_by_hand_audited(session, login):
    admin, person = make_user(session, admin=True), make_user(session)
    client = login(admin)
    client.form("/admin/recognition/badges", {"name": "Mentor of the quarter"})
    badge = _badge(session)
    client.form(
        "/admin/recognition/awards",
        {"badge_id": badge.id, "email": person.email, "reason": "Coaching"},
    )
    award = session.exec(select(Award).where(Award.badge_id == badge.id)).one()

    response = client.form(f"/admin/recognition/awards/{award.id}/revoke")

    assert response.status_code == 303
    assert session.exec(select(Award.id).where(Award.id == award.id)).first() is None
    assert "badge.revoke" in session.exec(select(AuditEntry.action)).all()


def test_members_cannot_open_the_admin_page(session, login):
    assert login(make_user(session)).get("/admin/recognition").status_code == 403


def test_hidden_badges_are_hidden_from_others_but_not_from_oneself(session, login):
    person, viewer = make_user(session), make_user(session)
    space = make_space(session, host=person)
    make_post(session, author=person, space=space)
    update_preferences(session, user=person, hide_badges=True, kudos_in_space=False)
    session.commit()

    others_see = login(viewer).get(f"/people/{person.id}").text.split('id="badges"', 1)[1]
    own_view = login(person).get(f"/people/{person.id}").text.split('id="badges"', 1)[1]

    assert "Early adopter" not in others_see and "No badges to show" in others_see
    assert "Early adopter" in own_view and "Your badges are hidden" in own_view


def test_recognition_data_for_lists_everything_stored_about_the_person(session):
    person, colleague = make_user(session), make_user(session)
    space = make_space(session, host=person, members=(colleague,))
    post = make_post(session, author=person, space=space)
    give_kudos(session, giver=colleague, message="Thank you", target_type="post", target_id=post.id)
    give_kudos(session, giver=person, receiver_ids=[colleague.id], message="You too")
    update_preferences(session, user=person, hide_badges=True, kudos_in_space=True)
    session.commit()

    data = recognition_data_for(session, person)

    assert {b["slug"] for b in data["badges"]} >= {"first-post", "early-adopter"}
    assert all(b["granted_by"] == "automatic rule" for b in data["badges"])
    assert [k["message"] for k in data["kudos_received"]] == ["Thank you"]
    assert data["kudos_received"][0]["target_type"] == "post"
    assert [k["message"] for k in data["kudos_given"]] == ["You too"]
    assert data["preferences"] == {"hide_badges": True, "kudos_in_space": True}
    assert data["leader"] == {"is_leader": False, "title": ""}
