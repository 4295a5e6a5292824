"""The checklist, the visibility explainer, and what Agora stores about a person."""

import json

from app.spaces.access import access_for
from app.spaces.service import leave_space
from tests.factories import make_comment, make_post, make_space, make_user


def test_a_newcomer_sees_the_checklist_on_home_until_they_hide_it(session, login):
    me = make_user(session)
    client = login(me)
    home = client.get("/")
    assert "Getting started" in home.text
    assert "0 of 4 done" in home.text

    assert client.form("/welcome/dismiss").status_code == 303
    assert "Getting started" not in client.get("/").text
    assert "Join 3 spaces" in client.get("/welcome").text  # the page stays reachable


def test_checklist_steps_tick_off_as_they_happen(session, login):
    host = make_user(session)
    me = make_user(session, title="Engineer", department="Platform")
    spaces = [make_space(session, host=host, members=(me,)) for _ in range(3)]
    prompt = make_post(session, author=host, space=spaces[0], kind="prompt", title="Hello?")
    make_comment(session, author=me, post=prompt, body="Hi, I am new")
    client = login(me)
    assert "3 of 4 done" in client.get("/").text

    assert client.get("/about/visibility").status_code == 200

    assert "Getting started" not in client.get("/").text  # all done: it goes away
    assert "All done" in client.get("/welcome").text


def test_the_visibility_page_explains_in_plain_words_and_lists_my_spaces(session, login):
    host, me = make_user(session), make_user(session)
    make_space(session, host=host, visibility="private", members=(me,), name="Pay Talk")
    page = login(me).get("/about/visibility")
    assert "Administrators who are not members cannot read it" in page.text
    assert "Pay Talk" in page.text and "2 members can read it" in page.text


def test_what_agora_stores_lists_counts_and_offers_a_download(session, login):
    me = make_user(session)
    space = make_space(session, host=me)
    make_post(session, author=me, space=space)
    page = login(me).get("/me/data")
    assert page.status_code == 200
    assert "Download my data" in page.text
    assert "never see who sent a flag" in page.text


def test_the_export_holds_my_data_and_nothing_from_spaces_i_cannot_read(session, login):
    host, me, other = make_user(session), make_user(session), make_user(session)
    public = make_space(session, host=host, members=(me, other))
    private = make_space(session, host=host, visibility="private", members=(me,))
    make_post(session, author=me, space=public, title="My public post", body="mine")
    make_post(session, author=me, space=private, title="Said in private", body="private words")
    make_post(session, author=other, space=public, title="Not mine", body="theirs")
    leave_space(session, access=access_for(session, me, private))
    session.commit()

    response = login(me).get("/me/data.json")

    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/json")
    assert "attachment" in response.headers["content-disposition"]
    data = json.loads(response.text)
    assert data["profile"]["email"] == me.email
    assert [p["title"] for p in data["posts"]] == ["My public post"]
    assert data["posts_in_spaces_you_cannot_read_any_more"] == 1
    assert "private words" not in response.text and "Not mine" not in response.text
    assert "password" not in json.dumps(data["profile"]).replace("has_password", "")


def test_people_who_joined_long_ago_see_no_checklist(session, login):
    from datetime import timedelta

    from app.core.db import utcnow

    veteran = make_user(session)
    veteran.created_at = utcnow() - timedelta(days=400)
    session.add(veteran)
    session.commit()
    assert "Getting started" not in login(veteran).get("/").text
