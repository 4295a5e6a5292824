"""Kudos for a protocol: every credited co-author but the giver is thanked at once."""

import pytest
from sqlmodel import Session, select

from app.core.db import get_engine
from app.core.errors import Invalid, NotFound, TooManyRequests
from app.notifications.models import Notification
from app.protocols import editing, service
from app.protocols.rooms import registry
from app.recognition.kudos import give_kudos, kudos_received
from app.recognition.models import Kudos
from app.spaces.access import access_for
from app.spaces.service import leave_space
from tests.factories import make_space, make_token, make_user
from tests.recognition.helpers import configure


@pytest.fixture(autouse=True)
def _fresh_rooms():
    registry.clear()
    yield
    registry.clear()


def _edit(user, protocol_id, text):
    with Session(get_engine(), expire_on_commit=False) as own:
        base = editing.current_version(own, protocol_id=protocol_id).number
        editing.save_text(own, user=user, protocol_id=protocol_id, base_version=base, text=text)
        own.commit()


def _co_written(session, *, visibility="public", title="Quarterly planning"):
    """A protocol written by anna and ben; carla is a reader who did not edit it."""
    anna, ben, carla = make_user(session), make_user(session), make_user(session)
    join = "open" if visibility == "public" else "request"
    space = make_space(
        session, host=anna, visibility=visibility, join_policy=join, members=(ben, carla)
    )
    protocol = service.create_protocol(
        session, access=access_for(session, anna, space), title=title, text="# Plan\n"
    )
    session.commit()
    _edit(anna, protocol.id, "# Plan\n\n- goals\n")
    _edit(ben, protocol.id, "# Plan\n\n- goals\n- budget\n")
    return anna, ben, carla, space, protocol


def _kudos(session):
    session.expire_all()
    return sorted(
        (k.receiver_id, k.target_type, k.target_id) for k in session.exec(select(Kudos)).all()
    )


# --- service -----------------------------------------------------------------------------------


def test_a_reader_thanks_every_co_author_one_kudos_each(session):
    anna, ben, carla, space, protocol = _co_written(session)

    rows = give_kudos(
        session, giver=carla, message="Great minutes", target_type="protocol", target_id=protocol.id
    )
    session.commit()

    assert sorted(r.receiver_id for r in rows) == sorted([anna.id, ben.id])
    assert {r.space_id for r in rows} == {space.id}
    assert len({r.batch for r in rows}) == 1
    assert _kudos(session) == sorted(
        [(anna.id, "protocol", protocol.id), (ben.id, "protocol", protocol.id)]
    )
    told = session.exec(select(Notification).where(Notification.kind == "kudos")).all()
    assert sorted(n.user_id for n in told) == sorted([anna.id, ben.id])


def test_a_co_author_thanks_the_others_but_not_themselves(session):
    anna, ben, _carla, _space, protocol = _co_written(session)

    rows = give_kudos(
        session, giver=anna, message="Thanks!", target_type="protocol", target_id=protocol.id
    )

    assert [r.receiver_id for r in rows] == [ben.id]


def test_the_only_author_cannot_thank_the_protocol(session):
    anna = make_user(session)
    space = make_space(session, host=anna)
    protocol = service.create_protocol(
        session, access=access_for(session, anna, space), title="Solo", text="# x\n"
    )
    session.commit()
    _edit(anna, protocol.id, "# x\n\nmine\n")

    with pytest.raises(Invalid, match="Nobody else is credited here yet"):
        give_kudos(session, giver=anna, message="me", target_type="protocol", target_id=protocol.id)


def test_co_authors_who_left_a_private_space_are_passed_over(session):
    anna, ben, carla, space, protocol = _co_written(session, visibility="private")
    leave_space(session, access=access_for(session, ben, space))
    session.commit()

    rows = give_kudos(
        session, giver=carla, message="Thanks", target_type="protocol", target_id=protocol.id
    )

    assert [r.receiver_id for r in rows] == [anna.id]


def test_the_budget_must_cover_every_co_author_or_nothing_is_given(session):
    configure(session, kudos_monthly_budget=2)
    anna, _ben, carla, _space, protocol = _co_written(session)
    give_kudos(session, giver=carla, receiver_ids=[anna.id], message="earlier")
    session.commit()

    with pytest.raises(TooManyRequests) as refused:
        give_kudos(
            session, giver=carla, message="Both!", target_type="protocol", target_id=protocol.id
        )
    session.rollback()

    assert refused.value.text().startswith("Thanking all 2 people takes 2 kudos")
    assert _kudos(session) == [(anna.id, None, None)]


def test_outsiders_cannot_tie_kudos_to_a_private_protocol(session):
    _anna, _ben, _carla, _space, protocol = _co_written(session, visibility="private")
    outsider = make_user(session)

    with pytest.raises(NotFound):
        give_kudos(
            session, giver=outsider, message="?", target_type="protocol", target_id=protocol.id
        )


def test_kudos_for_a_private_protocol_stay_with_its_readers(session):
    anna, _ben, carla, _space, protocol = _co_written(
        session, visibility="private", title="Reorg codename Heron"
    )
    give_kudos(session, giver=carla, message="Good", target_type="protocol", target_id=protocol.id)
    session.commit()
    outsider = make_user(session)

    member_view = kudos_received(session, viewer=carla, person=anna).items
    assert [v.target_title for v in member_view] == ["Reorg codename Heron"]
    assert kudos_received(session, viewer=outsider, person=anna).items == []


# --- pages -------------------------------------------------------------------------------------


def test_the_protocol_page_offers_to_thank_the_authors(session, login):
    anna, ben, carla, _space, protocol = _co_written(session)
    reader = login(carla)

    page = reader.get(f"/protocols/{protocol.id}")
    assert "Thank the authors" in page.text
    form = reader.htmx("GET", f"/kudos/new?protocol_id={protocol.id}", target="kudos-dialog")
    assert form.status_code == 200
    assert "<html" not in form.text
    assert anna.display_name in form.text and ben.display_name in form.text
    assert "2 co-authors get one kudos each" in form.text
    assert 'name="to"' not in form.text

    sent = reader.htmx(
        "POST",
        "/kudos",
        target="kudos-dialog",
        data={"message": "Crisp notes", "target_type": "protocol", "target_id": protocol.id},
    )
    assert sent.status_code == 200
    assert "Kudos sent to 2 co-authors" in sent.text
    profile = reader.get(f"/people/{ben.id}").text.split('id="kudos"', 1)[1]
    assert "Crisp notes" in profile
    assert "Quarterly planning" in profile


def test_the_plain_form_redirects_back_to_the_protocol(session, login):
    _anna, _ben, carla, _space, protocol = _co_written(session)

    response = login(carla).form(
        "/kudos", {"message": "Thanks", "target_type": "protocol", "target_id": protocol.id}
    )

    assert response.status_code == 303
    assert response.headers["location"] == f"/protocols/{protocol.id}?thanked=2"


def test_a_sole_author_sees_no_thank_button(session, login):
    anna, _ben, _carla, _space, protocol = _co_written(session)
    page = login(anna).get(f"/protocols/{protocol.id}").text
    assert "Thank the authors" in page  # ben is still there to thank
    solo = make_user(session)
    space = make_space(session, host=solo)
    own = service.create_protocol(
        session, access=access_for(session, solo, space), title="Mine", text="# m\n"
    )
    session.commit()
    _edit(solo, own.id, "# m\n\nx\n")
    assert "Thank the authors" not in login(solo).get(f"/protocols/{own.id}").text


def test_an_over_budget_protocol_form_says_why_and_keeps_the_message(session, login):
    configure(session, kudos_monthly_budget=1)
    _anna, _ben, carla, _space, protocol = _co_written(session)

    response = login(carla).htmx(
        "POST",
        "/kudos",
        target="kudos-dialog",
        data={"message": "Both of you", "target_type": "protocol", "target_id": protocol.id},
    )

    assert response.status_code == 422
    assert "Thanking all 2 people takes 2 kudos, and you have 1 left this month." in response.text
    assert "Both of you" in response.text
    assert _kudos(session) == []


def test_outsiders_get_404_for_the_form_of_a_private_protocol(session, login):
    _anna, _ben, _carla, _space, protocol = _co_written(session, visibility="private")
    outsider = login(make_user(session))

    assert outsider.get(f"/kudos/new?protocol_id={protocol.id}").status_code == 404
    response = outsider.form(
        "/kudos", {"message": "x", "target_type": "protocol", "target_id": protocol.id}
    )
    assert response.status_code == 404


# --- API ---------------------------------------------------------------------------------------


def test_the_api_thanks_all_co_authors_with_protocol_id(session, api):
    anna, ben, carla, _space, protocol = _co_written(session)
    token = make_token(session, user=carla)

    response = api("POST", "/kudos", token, json={"message": "Thanks", "protocol_id": protocol.id})

    assert response.status_code == 201
    body = response.json()
    assert sorted(k["receiver"]["id"] for k in body["items"]) == sorted([anna.id, ben.id])
    assert body["id"] == body["items"][0]["id"]
    assert body["target"] == {"type": "protocol", "id": protocol.id, "title": "Quarterly planning"}
    listed = api("GET", f"/users/{ben.id}/kudos", token).json()["items"]
    assert [k["target"]["type"] for k in listed] == ["protocol"]


def test_the_api_can_thank_one_co_author_of_a_protocol(session, api):
    anna, _ben, carla, _space, protocol = _co_written(session)
    token = make_token(session, user=carla)

    response = api(
        "POST",
        "/kudos",
        token,
        json={"message": "You!", "protocol_id": protocol.id, "to_user_id": anna.id},
    )

    assert response.status_code == 201
    assert [k["receiver"]["id"] for k in response.json()["items"]] == [anna.id]


def test_the_api_refuses_unclear_protocol_kudos(session, api):
    configure(session, kudos_monthly_budget=1)
    anna, _ben, carla, _space, protocol = _co_written(session, visibility="private")
    token = make_token(session, user=carla)
    outsider_token = make_token(session, user=make_user(session))

    nobody = api("POST", "/kudos", token, json={"message": "hi"})
    both = api(
        "POST",
        "/kudos",
        token,
        json={"message": "hi", "protocol_id": protocol.id, "post_id": 1, "to_user_id": anna.id},
    )
    over = api("POST", "/kudos", token, json={"message": "hi", "protocol_id": protocol.id})
    hidden = api(
        "POST", "/kudos", outsider_token, json={"message": "hi", "protocol_id": protocol.id}
    )

    assert nobody.status_code == 422
    assert "to_user_id is required unless protocol_id is given" in nobody.text
    assert both.status_code == 422 and "not both" in both.text
    assert over.status_code == 429 and "you have 1 left" in over.json()["detail"]
    assert hidden.status_code == 404 and hidden.json() == {"detail": "Protocol not found"}
    assert _kudos(session) == []
    listed = api("GET", f"/users/{anna.id}/kudos", outsider_token).json()
    assert listed["items"] == []
