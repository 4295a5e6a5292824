"""The people directory and the hosts' "add member" picker: both ask the search index, see
only active people, and cost the same number of queries however many people there are."""

import re

from sqlmodel import Session

from app.people.service import set_active, update_profile
from app.search.people import DIRECTORY_PAGE, people_directory
from app.spaces.access import access_for
from tests.factories import make_space, make_user


def _profile(session: Session, user, *, title: str = "", department: str = "") -> None:  # type: ignore[no-untyped-def]
    update_profile(
        session,
        user=user,
        display_name=user.display_name,
        title=title,
        department=department,
        locale="de",
        time_zone="Europe/Berlin",
    )
    session.commit()


def _names(html: str) -> list[str]:
    return re.findall(r'class="person" href="/people/\d+">(?:<[^>]+>)*([^<]+)</a>', html)


# --- the directory ------------------------------------------------------------------------------


def test_directory_finds_people_by_name_handle_title_and_department(session, login):  # type: ignore[no-untyped-def]
    viewer = make_user(session, name="Vera Viewer")
    jana = make_user(session, name="Jana Müller", email="jmueller@example.com")
    _profile(session, jana, title="Controllerin", department="Finanzen")
    make_user(session, name="Karl Other")
    client = login(viewer)
    for query in ("mueller", "Müll", "@jmueller", "controll", "finanz"):
        page = client.get("/people", params={"q": query})
        assert page.status_code == 200
        assert "Jana Müller" in page.text, query
        assert "Karl Other" not in page.text, query
    assert f'href="/people/{jana.id}"' in client.get("/people", params={"q": "jana"}).text
    empty = client.get("/people", params={"q": "zzqx"})
    assert "No one found" in empty.text


def test_directory_shows_active_people_only(session, login):  # type: ignore[no-untyped-def]
    admin = make_user(session, admin=True, name="Ada Admin")
    gone = make_user(session, name="Gunnar Gone")
    make_user(session, name="Gunnar Here")
    set_active(session, actor=admin, user=gone, active=False)
    session.commit()
    client = login(make_user(session))
    assert "Gunnar Gone" not in client.get("/people").text
    found = client.get("/people", params={"q": "gunnar"}).text
    assert "Gunnar Here" in found and "Gunnar Gone" not in found


def test_directory_pages_by_name_with_a_keyset_cursor(session, login):  # type: ignore[no-untyped-def]
    viewer = make_user(session, name="Aaron Viewer")
    for n in range(DIRECTORY_PAGE + 5):
        make_user(session, name=f"Pia Page{n:02d}")
    first = people_directory(session, viewer=viewer)
    assert len(first.items) == DIRECTORY_PAGE and first.next_cursor
    second = people_directory(session, viewer=viewer, cursor=first.next_cursor)
    names = [p.display_name for p in first.items + second.items]
    assert names == sorted(names)
    assert len(set(names)) == len(names)
    assert second.next_cursor is None
    client = login(viewer)
    fragment = client.htmx("GET", f"/people?cursor={first.next_cursor}")
    assert "<html" not in fragment.text
    assert _names(fragment.text) == [p.display_name for p in second.items]
    # Found through the index, "load more" goes on with the index's own cursor.
    by_word = people_directory(session, viewer=viewer, text_query="pia", limit=20)
    rest = people_directory(session, viewer=viewer, text_query="pia", cursor=by_word.next_cursor)
    found = {p.id for p in by_word.items} | {p.id for p in rest.items}
    assert len(found) == DIRECTORY_PAGE + 5


def test_directory_refuses_a_bad_cursor(session, login):  # type: ignore[no-untyped-def]
    client = login(make_user(session))
    for cursor in ("!!", "bm90LWFuLWlk", "OTk5OTk5OTk5OTk5OTk5OTk5OTk5OTk5fHg"):
        assert client.get("/people", params={"cursor": cursor}).status_code == 422


def test_directory_queries_stay_constant_as_people_grow(session, login, count_queries):  # type: ignore[no-untyped-def]
    client = login(make_user(session, name="Quentin Viewer"))
    for n in range(3):
        make_user(session, name=f"Quinn Few{n}")
    with count_queries() as few_listed:
        client.get("/people")
    with count_queries() as few_found:
        client.get("/people", params={"q": "quinn"})
    for n in range(40):
        make_user(session, name=f"Quinn Many{n}")
    with count_queries() as many_listed:
        client.get("/people")
    with count_queries() as many_found:
        assert "Quinn Many" in client.get("/people", params={"q": "quinn"}).text
    assert len(few_listed) == len(many_listed)
    assert len(few_found) == len(many_found)


# --- the "add member" picker --------------------------------------------------------------------


def test_host_finds_people_and_adds_one_from_the_picker(session, login):  # type: ignore[no-untyped-def]
    host = make_user(session, name="Hedda Host")
    member = make_user(session, name="Rosa Member")
    rosa = make_user(session, name="Rosa Newcomer")
    _profile(session, rosa, department="Einkauf")
    space = make_space(session, host=host, visibility="secret", members=(member,))
    client = login(host)
    fragment = client.htmx("GET", f"/spaces/{space.slug}/members/find?q=rosa", "member-candidates")
    assert fragment.status_code == 200 and "<html" not in fragment.text
    assert "Rosa Newcomer" in fragment.text and "Already a member" in fragment.text
    assert f'name="person" value="{rosa.id}"' in fragment.text
    assert f'name="person" value="{member.id}"' not in fragment.text  # no button to demote
    # Without JavaScript the same address answers the whole members page.
    page = client.get(f"/spaces/{space.slug}/members/find", params={"q": "einkauf"})
    assert "<html" in page.text and "Rosa Newcomer" in page.text
    added = client.form(f"/spaces/{space.slug}/members", {"person": str(rosa.id), "mode": "add"})
    assert added.status_code == 303
    assert access_for(session, rosa, space).is_member


def test_picker_invites_and_refuses_what_it_cannot_add(session, login):  # type: ignore[no-untyped-def]
    admin = make_user(session, admin=True)
    host = make_user(session, name="Ines Host")
    ivo = make_user(session, name="Ivo Invitee")
    gone = make_user(session, name="Ivo Gone")
    set_active(session, actor=admin, user=gone, active=False)
    session.commit()
    space = make_space(session, host=host, visibility="private", join_policy="invite")
    client = login(host)
    found = client.get(f"/spaces/{space.slug}/members/find", params={"q": "ivo"}).text
    assert "Ivo Invitee" in found and "Ivo Gone" not in found
    client.form(f"/spaces/{space.slug}/members", {"person": str(ivo.id), "mode": "invite"})
    membership = access_for(session, ivo, space).membership
    assert membership is not None and membership.state == "invited"
    assert "Invited" in client.get(f"/spaces/{space.slug}/members/find?q=ivo").text
    for bad in ("abc", "99999999999", "0", str(gone.id + 1000)):
        refused = client.form(f"/spaces/{space.slug}/members", {"person": bad})
        assert refused.status_code == 422, bad
        assert "Person not found" in refused.text
    deactivated = client.form(f"/spaces/{space.slug}/members", {"person": str(gone.id)})
    assert deactivated.status_code == 422
    assert access_for(session, gone, space).membership is None
    assert "Type at least two letters" in client.get(f"/spaces/{space.slug}/members/find?q=i").text


def test_only_hosts_may_use_the_picker(session, login):  # type: ignore[no-untyped-def]
    host = make_user(session)
    member = make_user(session)
    space = make_space(session, host=host, visibility="secret", members=(member,))
    path = f"/spaces/{space.slug}/members/find?q=person"
    assert login(member).get(path).status_code == 403
    assert login(make_user(session)).get(path).status_code == 404


def test_picker_queries_stay_constant_as_people_grow(session, login, count_queries):  # type: ignore[no-untyped-def]
    host = make_user(session, name="Olga Host")
    space = make_space(session, host=host)
    client = login(host)
    path = f"/spaces/{space.slug}/members/find?q=otto"
    make_user(session, name="Otto First")
    with count_queries() as few:
        client.htmx("GET", path, "member-candidates")
    for n in range(30):
        make_user(session, name=f"Otto Number{n}")
    with count_queries() as many:
        assert "Otto Number" in client.htmx("GET", path, "member-candidates").text
    assert len(few) == len(many)
