"""The recognition JSON API: shapes, errors as JSON, and the same visibility as the pages."""

from sqlmodel import select

from app.people.models import AuditEntry
from app.recognition.kudos import give_kudos
from app.recognition.service import set_leader, update_preferences
from tests.factories import make_post, make_space, make_token, make_user
from tests.recognition.helpers import configure


def test_badges_list_has_slug_name_space_reason_and_date(session, api):
    admin, person = make_user(session, admin=True), make_user(session)
    space = make_space(session, host=person)
    make_post(session, author=person, space=space)
    set_leader(session, actor=admin, person=person, is_leader=True, title="CTO")
    session.commit()

    response = api("GET", f"/users/{person.id}/badges", make_token(session, user=admin))

    assert response.status_code == 200
    items = {(i["slug"], i["space"]): i for i in response.json()["items"]}
    assert {("leader", None), ("early-adopter", None), ("early-adopter", space.slug)} <= set(items)
    assert items[("leader", None)]["reason"] == "CTO"
    assert {"slug", "name", "space", "reason", "granted_at"} <= set(items[("leader", None)])


def test_badges_of_hidden_or_unreadable_scopes_are_left_out(session, api):
    person, outsider = make_user(session), make_user(session)
    secret = make_space(session, host=person, visibility="secret")
    make_post(session, author=person, space=secret)
    token = make_token(session, user=outsider)

    visible = {
        (i["slug"], i["space"])
        for i in api("GET", f"/users/{person.id}/badges", token).json()["items"]
    }
    assert ("early-adopter", secret.slug) not in visible
    assert ("early-adopter", None) in visible

    update_preferences(session, user=person, hide_badges=True, kudos_in_space=False)
    session.commit()
    assert api("GET", f"/users/{person.id}/badges", token).json()["items"] == []
    own = api("GET", f"/users/{person.id}/badges", make_token(session, user=person)).json()
    assert own["items"]


def test_the_api_needs_a_token(session, api):
    person = make_user(session)
    response = api("GET", f"/users/{person.id}/badges")
    assert response.status_code == 401
    assert response.json() == {"detail": "Not authenticated"}
    assert api("GET", f"/users/{person.id}/badges", "agora_wrong").status_code == 401


def test_give_kudos_through_the_api(session, api):
    author, fan = make_user(session), make_user(session)
    space = make_space(session, host=author, members=(fan,))
    post = make_post(session, author=author, space=space, title="Release notes")
    token = make_token(session, user=fan)

    response = api(
        "POST",
        "/kudos",
        token,
        json={"to_user_id": author.id, "message": "Clear!", "post_id": post.id},
    )

    assert response.status_code == 201
    body = response.json()
    assert body["receiver"]["id"] == author.id and body["message"] == "Clear!"
    assert body["target"] == {"type": "post", "id": post.id, "title": "Release notes"}
    listed = api("GET", f"/users/{author.id}/kudos", token).json()
    assert [k["message"] for k in listed["items"]] == ["Clear!"]
    assert listed["next_cursor"] is None


def test_kudos_errors_are_json(session, api):
    configure(session, kudos_monthly_budget=1)
    me, other = make_user(session), make_user(session)
    outsider_space = make_space(session, host=other, visibility="private", join_policy="request")
    hidden_post = make_post(session, author=other, space=outsider_space)
    token = make_token(session, user=me)

    self_kudos = api("POST", "/kudos", token, json={"to_user_id": me.id, "message": "me"})
    unreadable = api(
        "POST",
        "/kudos",
        token,
        json={"to_user_id": other.id, "message": "x", "post_id": hidden_post.id},
    )
    too_long = api("POST", "/kudos", token, json={"to_user_id": other.id, "message": "x" * 501})
    first = api("POST", "/kudos", token, json={"to_user_id": other.id, "message": "thanks"})
    over = api("POST", "/kudos", token, json={"to_user_id": other.id, "message": "again"})

    assert self_kudos.status_code == 422
    assert self_kudos.json()["detail"][0]["loc"] == ["body", "to_user_id"]
    assert unreadable.status_code == 404 and unreadable.json() == {"detail": "Post not found"}
    assert too_long.status_code == 422
    assert first.status_code == 201
    assert over.status_code == 429 and "all 1 kudos" in over.json()["detail"]


def test_kudos_tied_to_a_private_post_are_not_listed_to_outsiders(session, api):
    author, member, outsider = make_user(session), make_user(session), make_user(session)
    space = make_space(
        session, host=author, visibility="private", join_policy="request", members=(member,)
    )
    post = make_post(session, author=author, space=space, title="Layoff plan draft")
    give_kudos(session, giver=member, message="Hard work", target_type="post", target_id=post.id)
    session.commit()

    as_outsider = api("GET", f"/users/{author.id}/kudos", make_token(session, user=outsider))
    as_member = api("GET", f"/users/{author.id}/kudos", make_token(session, user=member))

    assert as_outsider.json()["items"] == []
    assert "Layoff" not in as_outsider.text
    assert as_member.json()["items"][0]["target"]["title"] == "Layoff plan draft"


def test_admins_mark_leaders_through_the_api_and_it_is_audited(session, api):
    admin, member, person = make_user(session, admin=True), make_user(session), make_user(session)

    denied = api(
        "POST",
        f"/users/{person.id}/leader",
        make_token(session, user=member),
        json={"is_leader": True},
    )
    done = api(
        "POST",
        f"/users/{person.id}/leader",
        make_token(session, user=admin),
        json={"is_leader": True, "title": "Head of People"},
    )
    bad = api(
        "POST",
        f"/users/{person.id}/leader",
        make_token(session, user=admin),
        json={"is_leader": True, "title": "x" * 121},
    )

    assert denied.status_code == 403 and "detail" in denied.json()
    assert done.status_code == 200
    assert done.json() == {"id": person.id, "is_leader": True, "leader_title": "Head of People"}
    assert bad.status_code == 422
    actions = session.exec(select(AuditEntry.action).where(AuditEntry.target_id == person.id)).all()
    assert actions == ["user.leader"]


def test_unknown_people_answer_404(session, api):
    token = make_token(session, user=make_user(session))
    assert api("GET", "/users/999999/badges", token).status_code == 404
    assert api("GET", "/users/999999/kudos", token).status_code == 404
    assert api("GET", f"/users/{2**40}/kudos", token).status_code == 422
