"""A space's calendar feed answers only while its owner may read the space (the page's rule):
removed, left or deactivated, the address of a private or secret space is gone (404)."""

import pytest

from app.events.feeds import feed_token
from app.events.rsvp import set_rsvp
from app.people.service import set_active
from app.spaces.access import access_for
from app.spaces.service import leave_space, remove_member, update_space
from tests.events.factories import make_event
from tests.factories import make_space, make_user


def _feeds(session, visibility: str):  # type: ignore[no-untyped-def]
    host, member = make_user(session), make_user(session)
    space = make_space(session, host=host, members=(member,), visibility=visibility, name="Crew")
    event = make_event(session, host=host, space=space, title="crew meetup")
    set_rsvp(session, user=member, event_id=event.id, status="going")
    space_feed = feed_token(session, user=member, access=access_for(session, member, space))
    personal_feed = feed_token(session, user=member)
    session.commit()
    return host, member, space, f"/calendar/{space_feed}.ics", f"/calendar/{personal_feed}.ics"


@pytest.mark.parametrize("visibility", ["private", "secret"])
def test_a_removed_member_loses_the_space_feed(session, client, visibility):
    host, member, space, space_url, personal_url = _feeds(session, visibility)
    before = client.get(space_url)
    assert before.status_code == 200 and "crew meetup" in before.text
    assert "crew meetup" in client.get(personal_url).text

    remove_member(session, access=access_for(session, host, space), user_id=member.id)
    update_space(
        session,
        access=access_for(session, host, space),
        name="Renamed crew",
        description="",
        visibility=visibility,
        join_policy="invite",
    )
    session.commit()

    after = client.get(space_url)
    assert after.status_code == 404
    assert "Renamed crew" not in after.text
    personal = client.get(personal_url)  # the person's own feed stays, without the space
    assert personal.status_code == 200
    assert "crew meetup" not in personal.text


@pytest.mark.parametrize("visibility", ["private", "secret"])
def test_leaving_ends_the_space_feed(session, client, visibility):
    _host, member, space, space_url, personal_url = _feeds(session, visibility)
    leave_space(session, access=access_for(session, member, space))
    session.commit()
    assert client.get(space_url).status_code == 404
    assert "crew meetup" not in client.get(personal_url).text


@pytest.mark.parametrize("visibility", ["private", "secret"])
def test_a_deactivated_person_loses_every_feed(session, client, visibility):
    _host, member, _space, space_url, personal_url = _feeds(session, visibility)
    admin = make_user(session, admin=True)
    set_active(session, user=member, active=False, actor=admin)
    session.commit()
    assert client.get(space_url).status_code == 404
    assert client.get(personal_url).status_code == 404


def test_a_public_space_feed_follows_the_page_rule(session, client):
    """Anyone may read a public space's page, so its feed keeps answering after leaving."""
    _host, member, space, space_url, _personal_url = _feeds(session, "public")
    leave_space(session, access=access_for(session, member, space))
    session.commit()
    response = client.get(space_url)
    assert response.status_code == 200 and "crew meetup" in response.text


def test_rejoining_brings_the_feed_back(session, client):
    host, member, space, space_url, _personal_url = _feeds(session, "private")
    remove_member(session, access=access_for(session, host, space), user_id=member.id)
    session.commit()
    assert client.get(space_url).status_code == 404
    from app.spaces.service import add_member

    add_member(session, access=access_for(session, host, space), user=member)
    session.commit()
    assert client.get(space_url).status_code == 200
