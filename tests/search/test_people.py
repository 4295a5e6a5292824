"""@mention suggestions come from the search index: names, handles, titles and departments,
only people who may read the space, a constant number of queries."""

from sqlmodel import Session

from app.people.service import set_active, update_profile
from app.search.people import people_matching
from app.spaces.access import access_for
from tests.factories import make_space, make_user


def _names(client, slug: str, q: str) -> str:  # type: ignore[no-untyped-def]
    return client.get(f"/spaces/{slug}/mentions", params={"q": q}).text


def test_mentions_find_people_by_any_of_their_words(session: Session, login) -> None:
    host = make_user(session, name="Mira Host")
    jana = make_user(session, name="Jana Müller")
    update_profile(
        session,
        user=jana,
        display_name="Jana Müller",
        title="Controllerin",
        department="Finanzen",
        locale="de",
        time_zone="Europe/Berlin",
    )
    session.commit()
    space = make_space(session, host=host)
    client = login(host)
    assert "Jana Müller" in _names(client, space.slug, "mueller")  # folded
    assert "Jana Müller" in _names(client, space.slug, "@Finanz")  # department, as a prefix
    assert "Jana Müller" in _names(client, space.slug, "contr")  # title, as a prefix
    assert "Jana Müller" not in _names(client, space.slug, "xq")
    # One letter is too short for the index: names in alphabetical order, as before.
    assert "Jana Müller" in _names(client, space.slug, "j")


def test_mentions_in_a_private_space_suggest_its_members_only(session: Session, login) -> None:
    host = make_user(session, name="Zora Host")
    member = make_user(session, name="Zoe Member")
    make_user(session, name="Zoe Outsider")
    gone = make_user(session, name="Zoe Gone")
    space = make_space(
        session, host=host, visibility="private", join_policy="request", members=(member, gone)
    )
    set_active(session, actor=make_user(session, admin=True), user=gone, active=False)
    session.commit()
    text = _names(login(host), space.slug, "zoe")
    assert "Zoe Member" in text
    assert "Zoe Outsider" not in text and "Zoe Gone" not in text
    # Outsiders of the space get nothing from it at all.
    assert login(make_user(session)).get(f"/spaces/{space.slug}/mentions?q=zoe").status_code == 404


def test_people_matching_ranks_and_limits(session: Session) -> None:
    host = make_user(session, name="Ada Host")
    space = make_space(session, host=host)
    for n in range(12):
        make_user(session, name=f"Ada Person{n}")
    found = people_matching(
        session, viewer=host, text_query="ada", readers_of=access_for(session, host, space).space
    )
    assert found is not None and len(found) == 8
    assert all(person.display_name.startswith("Ada") for person in found)


def test_mention_queries_stay_constant_as_people_grow(session: Session, login, count_queries):  # type: ignore[no-untyped-def]
    host = make_user(session, name="Kim Host")
    space = make_space(session, host=host)
    client = login(host)
    with count_queries() as few:
        _names(client, space.slug, "kim")
    for n in range(20):
        make_user(session, name=f"Kim Number{n}")
    with count_queries() as many:
        assert "Kim Number" in _names(client, space.slug, "kim")
    assert len(few) == len(many)
