"""Spaces over the API: directory, create, edit, join and members."""

import pytest
from sqlmodel import select

from app.spaces.models import Membership, Space
from app.spaces.service import create_space
from tests.api.helpers import fresh
from tests.factories import make_space, make_user


def _all_pages(client, path, limit):  # type: ignore[no-untyped-def]
    seen, cursor = [], None
    while True:
        params = {"limit": limit} | ({"cursor": cursor} if cursor else {})
        body = client.get(path, params=params).json()
        seen += body["items"]
        cursor = body["next_cursor"]
        if cursor is None:
            return seen


# Directory


def test_directory_lists_public_and_private_spaces_but_secret_ones_only_to_members(session, api):
    host, me = make_user(session), make_user(session)
    make_space(session, host=host, name="Open room")
    make_space(session, host=host, name="Closed room", visibility="private")
    make_space(session, host=host, name="Hidden room", visibility="secret")
    make_space(session, host=host, name="My hidden room", visibility="secret", members=(me,))

    items = api(me).get("/api/v1/spaces").json()["items"]

    assert [s["name"] for s in items] == ["Open room", "Closed room", "My hidden room"]
    assert items[0] == {
        "slug": "open-room",
        "name": "Open room",
        "description": "",
        "visibility": "public",
        "join_policy": "open",
        "member_count": 1,
        "membership": None,
    }
    assert items[2]["membership"] == {"role": "member", "state": "active"}


def test_directory_pages_with_a_cursor_without_gaps_or_repeats(session, api):
    me = make_user(session)
    for i in range(7):
        make_space(session, host=me, name=f"Room {i}")

    seen = _all_pages(api(me), "/api/v1/spaces", limit=3)

    assert [s["name"] for s in seen] == [f"Room {i}" for i in range(7)]


@pytest.mark.parametrize("params", [{"limit": 0}, {"limit": 101}, {"limit": "ten"}])
def test_directory_limit_must_be_between_1_and_100(session, api, params):
    response = api(make_user(session)).get("/api/v1/spaces", params=params)

    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["query", "limit"]


@pytest.mark.parametrize("cursor", ["not-a-cursor!!", "bm9wZQ", "x" * 201])
def test_directory_rejects_a_malformed_cursor(session, api, cursor):
    response = api(make_user(session)).get("/api/v1/spaces", params={"cursor": cursor})

    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["query", "cursor"]


# Create


def test_create_space_makes_the_caller_its_host(session, api):
    me = make_user(session)

    response = api(me).post(
        "/api/v1/spaces",
        json={"name": "Coffee lovers", "description": "Beans", "visibility": "private"},
    )

    assert response.status_code == 201
    assert response.json() == {
        "slug": "coffee-lovers",
        "name": "Coffee lovers",
        "description": "Beans",
        "visibility": "private",
        "join_policy": "open",
        "member_count": 1,
        "membership": {"role": "host", "state": "active"},
    }
    space = session.exec(select(Space).where(Space.slug == "coffee-lovers")).one()
    assert space.created_by_id == me.id


def test_create_space_takes_a_slug_and_a_secret_space_defaults_to_invitations(session, api):
    response = api(make_user(session)).post(
        "/api/v1/spaces", json={"name": "Board", "slug": "the-board", "visibility": "secret"}
    )

    assert response.status_code == 201
    assert (response.json()["slug"], response.json()["join_policy"]) == ("the-board", "invite")


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({}, "name"),
        ({"name": "   "}, "name"),
        ({"name": "x" * 81}, "name"),
        ({"name": "Ok", "description": "x" * 2001}, "description"),
        ({"name": "Ok", "slug": "Not A Slug"}, "slug"),
        ({"name": "Ok", "slug": "x" * 61}, "slug"),
        ({"name": "Ok", "visibility": "everyone"}, "visibility"),
        ({"name": "Ok", "join_policy": "maybe"}, "join_policy"),
        ({"name": "Ok", "visibility": "secret", "join_policy": "open"}, "join_policy"),
        ({"name": 42}, "name"),
        ({"name": "Ok", "description": None}, "description"),
        ({"name": "Ok", "owner": 1}, "owner"),
    ],
)
def test_create_space_rejects_invalid_input_naming_the_field(session, api, payload, field):
    response = api(make_user(session)).post("/api/v1/spaces", json=payload)

    assert response.status_code == 422
    assert ["body", field] in [error["loc"] for error in response.json()["detail"]]
    assert session.exec(select(Space)).first() is None


def test_create_space_rejects_a_taken_slug(session, api):
    me = make_user(session)
    make_space(session, host=me, name="Taken")

    response = api(me).post("/api/v1/spaces", json={"name": "Other", "slug": "taken"})

    assert response.status_code == 422
    assert response.json()["detail"] == [
        {"loc": ["body", "slug"], "msg": "That address is taken", "type": "invalid"}
    ]


def test_a_body_that_is_not_json_is_422(session, api):
    response = api(make_user(session)).post(
        "/api/v1/spaces", content=b"{not json", headers={"content-type": "application/json"}
    )

    assert response.status_code == 422
    assert response.json()["detail"][0]["type"] == "json_invalid"


# Read


def test_a_private_space_shows_its_description_to_outsiders(session, api):
    host, outsider = make_user(session), make_user(session)
    space = make_space(session, host=host, visibility="private", name="Sales")

    response = api(outsider).get(f"/api/v1/spaces/{space.slug}")

    assert response.status_code == 200
    assert response.json()["name"] == "Sales"
    assert response.json()["membership"] is None


def test_unknown_and_secret_spaces_are_404(session, api):
    host, outsider = make_user(session), make_user(session)
    secret = make_space(session, host=host, visibility="secret")
    client = api(outsider)

    assert client.get("/api/v1/spaces/no-such-space").status_code == 404
    response = client.get(f"/api/v1/spaces/{secret.slug}")
    assert response.status_code == 404
    assert response.json() == {"detail": "Space not found"}


# Edit


def test_host_edits_a_space_partially(session, api):
    host = make_user(session)
    space = make_space(session, host=host, name="Old name")

    response = api(host).patch(f"/api/v1/spaces/{space.slug}", json={"name": "New name"})

    assert response.status_code == 200
    assert response.json()["name"] == "New name"
    stored = fresh(session, Space, space.id)
    assert (stored.name, stored.visibility, stored.join_policy) == ("New name", "public", "open")


def test_admin_edits_a_space_they_can_see(session, api):
    host, admin = make_user(session), make_user(session, admin=True)
    space = make_space(session, host=host, visibility="private")

    response = api(admin).patch(f"/api/v1/spaces/{space.slug}", json={"join_policy": "request"})

    assert response.status_code == 200
    assert fresh(session, Space, space.id).join_policy == "request"


@pytest.mark.parametrize(("visibility", "status"), [("public", 403), ("private", 403)])
def test_members_and_outsiders_may_not_edit(session, api, visibility, status):
    host, member, outsider = make_user(session), make_user(session), make_user(session)
    space = make_space(session, host=host, visibility=visibility, members=(member,))

    for person in (member, outsider):
        response = api(person).patch(f"/api/v1/spaces/{space.slug}", json={"name": "Mine"})
        assert response.status_code == status
        assert response.json() == {"detail": "Only hosts of this space may do that"}
    assert fresh(session, Space, space.id).name == space.name


def test_editing_a_secret_space_as_an_outsider_is_404(session, api):
    host, outsider = make_user(session), make_user(session)
    space = make_space(session, host=host, visibility="secret")

    response = api(outsider).patch(f"/api/v1/spaces/{space.slug}", json={"name": "Mine"})

    assert response.status_code == 404


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"name": None}, "name"),
        ({"name": ""}, "name"),
        ({"description": "x" * 2001}, "description"),
        ({"visibility": "secret"}, "join_policy"),
        ({"visibility": 3}, "visibility"),
        ({"slug": "new"}, "slug"),
    ],
)
def test_editing_with_invalid_input_is_422_and_changes_nothing(session, api, payload, field):
    host = make_user(session)
    space = make_space(session, host=host, name="Kept")

    response = api(host).patch(f"/api/v1/spaces/{space.slug}", json=payload)

    assert response.status_code == 422
    assert ["body", field] in [error["loc"] for error in response.json()["detail"]]
    stored = fresh(session, Space, space.id)
    assert (stored.name, stored.visibility) == ("Kept", "public")


# Join


@pytest.mark.parametrize(
    ("visibility", "policy", "state"),
    [("public", "open", "active"), ("private", "request", "requested")],
)
def test_join_an_open_space_or_ask_to_join(session, api, visibility, policy, state):
    host, me = make_user(session), make_user(session)
    space = make_space(session, host=host, visibility=visibility, join_policy=policy)

    response = api(me).post(f"/api/v1/spaces/{space.slug}/join")

    assert response.status_code == 200
    assert response.json() == {
        "space": space.slug,
        "user": {
            "id": me.id,
            "display_name": me.display_name,
            "is_leader": False,
            "avatar_url": f"/people/{me.id}/avatar/256",
        },
        "role": "member",
        "state": state,
    }


def test_joining_twice_changes_nothing(session, api):
    host, me = make_user(session), make_user(session)
    space = make_space(session, host=host)
    client = api(me)

    client.post(f"/api/v1/spaces/{space.slug}/join")
    response = client.post(f"/api/v1/spaces/{space.slug}/join")

    assert response.status_code == 200
    rows = session.exec(select(Membership).where(Membership.space_id == space.id)).all()
    assert len(rows) == 2


def test_an_invitation_only_space_cannot_be_joined_uninvited(session, api):
    host, me = make_user(session), make_user(session)
    space = make_space(session, host=host, join_policy="invite")

    response = api(me).post(f"/api/v1/spaces/{space.slug}/join")

    assert response.status_code == 403
    assert response.json() == {"detail": "This space can only be joined by invitation"}


def test_a_secret_space_is_404_to_join_unless_invited(session, api):
    from app.spaces.access import access_for
    from app.spaces.service import add_member

    host, invited, stranger = make_user(session), make_user(session), make_user(session)
    space = make_space(session, host=host, visibility="secret")
    add_member(session, access=access_for(session, host, space), user=invited, invite=True)
    session.commit()

    assert api(stranger).post(f"/api/v1/spaces/{space.slug}/join").status_code == 404
    accepted = api(invited).post(f"/api/v1/spaces/{space.slug}/join")
    assert accepted.status_code == 200
    assert accepted.json()["state"] == "active"


# Members


def test_host_adds_a_person_by_email_as_member_or_host(session, api):
    host, newcomer = make_user(session), make_user(session)
    space = make_space(session, host=host, visibility="private")
    client = api(host)

    added = client.post(
        f"/api/v1/spaces/{space.slug}/members", json={"email": newcomer.email.upper()}
    )
    promoted = client.post(
        f"/api/v1/spaces/{space.slug}/members", json={"email": newcomer.email, "role": "host"}
    )

    assert added.status_code == 201
    assert added.json()["role"] == "member"
    assert added.json()["user"]["id"] == newcomer.id
    assert promoted.json()["role"] == "host"
    assert promoted.json()["state"] == "active"
    assert api(newcomer).get(f"/api/v1/spaces/{space.slug}/posts").status_code == 200


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"email": "nobody@example.com"}, "email"),
        ({"email": "not an email"}, "email"),
        ({"email": "x" * 255}, "email"),
        ({}, "email"),
        ({"email": "a@example.com", "role": "owner"}, "role"),
        ({"email": "a@example.com", "role": "member", "note": "hi"}, "note"),
    ],
)
def test_adding_a_member_with_invalid_input_is_422(session, api, payload, field):
    host = make_user(session, email="a@example.com")
    space = make_space(session, host=host)

    response = api(host).post(f"/api/v1/spaces/{space.slug}/members", json=payload)

    assert response.status_code == 422
    assert ["body", field] in [error["loc"] for error in response.json()["detail"]]


def test_only_hosts_add_members(session, api):
    host, member, other = make_user(session), make_user(session), make_user(session)
    space = make_space(session, host=host, members=(member,))

    response = api(member).post(f"/api/v1/spaces/{space.slug}/members", json={"email": other.email})

    assert response.status_code == 403
    rows = session.exec(select(Membership).where(Membership.user_id == other.id)).all()
    assert rows == []


def test_non_hosts_cannot_probe_email_addresses(session, api):
    host, member = make_user(session), make_user(session)
    space = make_space(session, host=host, members=(member,))

    response = api(member).post(
        f"/api/v1/spaces/{space.slug}/members", json={"email": "nobody@example.com"}
    )

    assert response.status_code == 403


def test_adding_to_a_secret_space_as_an_outsider_is_404(session, api):
    host, outsider = make_user(session), make_user(session)
    space = create_space(session, creator=host, name="S", visibility="secret", join_policy="invite")
    session.commit()

    response = api(outsider).post(
        f"/api/v1/spaces/{space.slug}/members", json={"email": outsider.email}
    )

    assert response.status_code == 404
