"""Space pages over HTTP: directory, create, settings, membership actions, mentions."""

from sqlmodel import select

from app.spaces.access import access_for
from app.spaces.models import Space
from tests.factories import make_post, make_space, make_user


def test_directory_lists_spaces_with_visibility_and_membership(session, login):
    host, me = make_user(session), make_user(session)
    make_space(session, host=host, name="Open Garden")
    make_space(session, host=host, name="Quiet Room", visibility="private", join_policy="request")
    make_space(session, host=host, name="Hidden Cave", visibility="secret")
    page = login(me).get("/spaces")
    assert "Open Garden" in page.text
    assert "Quiet Room" in page.text
    assert "Hidden Cave" not in page.text


def test_create_space_redirects_to_it_and_shows_errors(session, login):
    me = make_user(session)
    client = login(me)
    assert client.get("/spaces/new").status_code == 200
    bad = client.form("/spaces", {"name": "", "visibility": "public", "join_policy": "open"})
    assert bad.status_code == 422
    assert "Give the space a name" in bad.text
    assert session.exec(select(Space)).all() == []
    good = client.form(
        "/spaces",
        {
            "name": "Book Club",
            "description": "Novels",
            "visibility": "private",
            "join_policy": "request",
        },
    )
    assert good.status_code == 303
    assert good.headers["location"] == "/spaces/book-club"
    page = client.get("/spaces/book-club")
    assert "Visible to the 1 member of Book Club." in page.text


def test_host_edits_and_archives_a_space(session, login):
    host = make_user(session)
    space = make_space(session, host=host)
    client = login(host)
    assert client.get(f"/spaces/{space.slug}/edit").status_code == 200
    bad = client.form(
        f"/spaces/{space.slug}/edit",
        {"name": "x" * 81, "visibility": "public", "join_policy": "open"},
    )
    assert bad.status_code == 422
    ok = client.form(
        f"/spaces/{space.slug}/edit",
        {"name": "Renamed", "description": "d", "visibility": "public", "join_policy": "open"},
    )
    assert ok.status_code == 303
    client.form(f"/spaces/{space.slug}/archive", {"archived": "true"})
    page = client.get(f"/spaces/{space.slug}")
    assert "Renamed" in page.text
    assert "Archived" in page.text
    assert 'id="composer"' not in page.text


def test_members_cannot_edit_settings(session, login):
    host, member = make_user(session), make_user(session)
    space = make_space(session, host=host, members=(member,))
    client = login(member)
    assert client.get(f"/spaces/{space.slug}/edit").status_code == 403
    assert client.form(f"/spaces/{space.slug}/archive").status_code == 403


def test_join_and_leave_an_open_space(session, login):
    host, me = make_user(session), make_user(session)
    space = make_space(session, host=host)
    client = login(me)
    assert ">Join<" in client.get(f"/spaces/{space.slug}").text
    client.form(f"/spaces/{space.slug}/join")
    page = client.get(f"/spaces/{space.slug}")
    assert 'id="composer"' in page.text
    assert "Visible to everyone at the company." in page.text
    client.form(f"/spaces/{space.slug}/leave")
    assert access_for(session, me, space).membership is None


def test_private_space_shows_the_door_and_the_request_flow(session, login):
    host, me = make_user(session), make_user(session)
    space = make_space(session, host=host, visibility="private", join_policy="request")
    make_post(session, author=host, space=space, title="Inner talk")
    client = login(me)
    door = client.get(f"/spaces/{space.slug}")
    assert "only its members can read" in door.text
    assert "Inner talk" not in door.text
    client.form(f"/spaces/{space.slug}/join")
    assert "waiting for a host" in client.get(f"/spaces/{space.slug}").text

    host_client = login(host)
    members_page = host_client.get(f"/spaces/{space.slug}/members")
    assert "Asking to join" in members_page.text
    host_client.form(f"/spaces/{space.slug}/members/{me.id}/approve")
    assert "Inner talk" in client.get(f"/spaces/{space.slug}").text


def test_host_adds_invites_promotes_and_removes_members(session, login):
    host, anna, ben = make_user(session), make_user(session), make_user(session)
    space = make_space(session, host=host, visibility="secret")
    client = login(host)
    unknown = client.form(f"/spaces/{space.slug}/members", {"email": "ghost@example.com"})
    assert unknown.status_code == 422
    assert "No one with that email address" in unknown.text
    assert 'value="ghost@example.com"' in unknown.text
    client.form(
        f"/spaces/{space.slug}/members", {"email": anna.email, "role": "member", "mode": "add"}
    )
    client.form(f"/spaces/{space.slug}/members", {"email": ben.email, "mode": "invite"})
    page = client.get(f"/spaces/{space.slug}/members")
    assert anna.display_name in page.text
    assert "Invited" in page.text

    ben_client = login(ben)
    assert "Accept invitation" in ben_client.get(f"/spaces/{space.slug}").text
    ben_client.form(f"/spaces/{space.slug}/join")
    assert access_for(session, ben, space).is_member

    client.form(f"/spaces/{space.slug}/members/{anna.id}/host")
    assert access_for(session, anna, space).is_host
    client.form(f"/spaces/{space.slug}/members/{anna.id}/remove")
    assert access_for(session, anna, space).membership is None
    assert client.form(f"/spaces/{space.slug}/members/{anna.id}/dance").status_code == 422


def test_mention_lookup_fragment_lists_people(session, login):
    host = make_user(session, name="Mira Host")
    space = make_space(session, host=host)
    fragment = login(host).get(f"/spaces/{space.slug}/mentions?q=mi")
    assert 'data-handle="' in fragment.text
    assert "Mira Host" in fragment.text
    assert "<html" not in fragment.text


def test_space_stream_load_more_fragment(session, login):
    host = make_user(session)
    space = make_space(session, host=host)
    for i in range(23):
        make_post(session, author=host, space=space, title=f"p{i}")
    client = login(host)
    page = client.get(f"/spaces/{space.slug}")
    cursor = page.text.split("?cursor=")[1].split('"')[0]
    fragment = client.htmx("GET", f"/spaces/{space.slug}?cursor={cursor}", target="load-more")
    assert fragment.text.count("post-card") == 3
    assert "<html" not in fragment.text
    full = client.get(f"/spaces/{space.slug}?cursor={cursor}")
    assert "<html" in full.text


def test_the_directory_offers_a_join_button_for_open_spaces_only(session, login):
    host, me = make_user(session), make_user(session)
    open_space = make_space(session, host=host, name="Open Door")
    asking = make_space(session, host=host, name="Ask First", join_policy="request")
    mine = make_space(session, host=host, name="Mine Already", members=(me,))
    client = login(me)
    page = client.get("/spaces").text
    assert f'action="/spaces/{open_space.slug}/join"' in page
    assert f'action="/spaces/{asking.slug}/join"' not in page
    assert f'action="/spaces/{mine.slug}/join"' not in page
    assert client.form(f"/spaces/{open_space.slug}/join").status_code == 303
    assert f'action="/spaces/{open_space.slug}/join"' not in client.get("/spaces").text


def test_space_page_read_as_rows_decides_as_the_access_rule(session, login):
    """The page reads the space, the membership and the count as rows (app/spaces/page.py):
    a secret space is not found for outsiders, a private one shows its door, an archived one
    takes the composer away, and the count is the active members'."""
    host, member, outsider, asking = (make_user(session) for _ in range(4))
    secret = make_space(session, host=host, visibility="secret", members=(member,))
    assert login(outsider).get(f"/spaces/{secret.slug}").status_code == 404
    inside = login(member).get(f"/spaces/{secret.slug}").text
    assert "Start a conversation" in inside and "2 members" in inside
    private = make_space(session, host=host, visibility="private", join_policy="request")
    make_post(session, author=host, space=private, title="Behind the door")
    client = login(asking)
    client.form(f"/spaces/{private.slug}/join")
    door = client.get(f"/spaces/{private.slug}")
    assert door.status_code == 200 and "Behind the door" not in door.text
    assert "1 member" in door.text  # a request to join is not a member
    secret.archived_at = secret.created_at
    session.add(secret)
    session.commit()
    assert "Start a conversation" not in login(member).get(f"/spaces/{secret.slug}").text
