"""Kudos: giving them (rules and budget), where they show, and who may see what."""

from datetime import UTC, datetime

import pytest
from sqlmodel import select

from app.core.errors import Invalid, NotFound, TooManyRequests
from app.notifications.models import Notification
from app.people.models import User
from app.posts.service import delete_post
from app.recognition.kudos import give_kudos, kudos_received, month_start
from app.recognition.models import Kudos
from app.recognition.service import update_preferences
from tests.factories import make_comment, make_post, make_space, make_user
from tests.recognition.helpers import configure


def _private_world(session):
    """A private space with a post by `author`; `member` can read it, `outsider` cannot."""
    author, member, outsider = make_user(session), make_user(session), make_user(session)
    space = make_space(
        session, host=author, visibility="private", join_policy="request", members=(member,)
    )
    post = make_post(
        session, author=author, space=space, title="Merger codename Falcon", body="Top secret"
    )
    return author, member, outsider, space, post


def test_kudos_from_a_post_reach_the_authors_profile(session, login):
    author, fan = make_user(session), make_user(session)
    space = make_space(session, host=author, members=(fan,))
    post = make_post(session, author=author, space=space, title="Onboarding guide")
    client = login(fan)

    form = client.get(f"/kudos/new?post_id={post.id}")
    assert form.status_code == 200
    assert f"Give kudos to {author.display_name}" in form.text
    response = client.form(
        "/kudos",
        {"to": author.id, "message": "This saved my first week!", "target_type": "post",
         "target_id": post.id},
    )  # fmt: skip

    assert response.status_code == 303
    assert response.headers["location"] == f"/people/{author.id}#kudos"
    profile = client.get(f"/people/{author.id}").text
    kudos = profile.split('id="kudos"', 1)[1]
    assert "This saved my first week!" in kudos
    assert "Onboarding guide" in kudos
    told = session.exec(select(Notification).where(Notification.user_id == author.id)).one()
    assert told.kind == "kudos"


def test_the_kudos_form_opens_and_answers_as_an_htmx_fragment(session, login):
    author, fan = make_user(session), make_user(session)
    space = make_space(session, host=author, members=(fan,))
    post = make_post(session, author=author, space=space)
    client = login(fan)
    assert 'hx-target="#kudos-dialog"' in client.get(f"/posts/{post.id}").text

    fragment = client.htmx("GET", f"/kudos/new?post_id={post.id}", target="kudos-dialog")
    sent = client.htmx(
        "POST",
        "/kudos",
        target="kudos-dialog",
        data={"to": author.id, "message": "Thanks!", "target_type": "post", "target_id": post.id},
    )
    empty = client.htmx("POST", "/kudos", target="kudos-dialog", data={"to": author.id})

    assert "<html" not in fragment.text and 'name="message"' in fragment.text
    assert sent.status_code == 200 and "Kudos sent" in sent.text and "<html" not in sent.text
    assert empty.status_code == 422 and "Write a short message" in empty.text


def test_self_kudos_are_refused(session):
    person = make_user(session)
    with pytest.raises(Invalid, match="yourself"):
        give_kudos(session, giver=person, receiver_ids=[person.id], message="Go me")


def test_kudos_for_my_own_post_are_refused_on_the_page_too(session, login):
    author = make_user(session)
    space = make_space(session, host=author)
    post = make_post(session, author=author, space=space)
    client = login(author)
    assert "Give kudos" not in client.get(f"/posts/{post.id}").text

    response = client.form(
        "/kudos",
        {"to": author.id, "message": "Me!", "target_type": "post", "target_id": post.id},
    )

    assert response.status_code == 422
    assert "You cannot give kudos to yourself" in response.text
    assert "Me!</textarea>" in response.text
    assert session.exec(select(Kudos)).all() == []


def test_the_monthly_budget_is_gentle_but_firm(session, login):
    configure(session, kudos_monthly_budget=3)
    giver, a, b = make_user(session), make_user(session), make_user(session)
    give_kudos(session, giver=giver, receiver_ids=[a.id], message="one")
    # Thanking several people at once uses one kudos each.
    give_kudos(session, giver=giver, receiver_ids=[a.id, b.id], message="two")
    session.commit()

    with pytest.raises(TooManyRequests):
        give_kudos(session, giver=giver, receiver_ids=[b.id], message="three")
    session.rollback()
    page = login(giver).get(f"/kudos/new?to={b.id}").text
    assert "You have given all 3 kudos for this month" in page


def test_a_budget_that_does_not_cover_everyone_thanks_no_one(session):
    configure(session, kudos_monthly_budget=2)
    giver, a, b = make_user(session), make_user(session), make_user(session)
    give_kudos(session, giver=giver, receiver_ids=[a.id], message="one")
    session.commit()

    with pytest.raises(TooManyRequests) as refused:
        give_kudos(session, giver=giver, receiver_ids=[a.id, b.id], message="both")
    session.rollback()

    assert refused.value.text() == (
        "Thanking all 2 people takes 2 kudos, and you have 1 left this month."
    )
    assert len(session.exec(select(Kudos)).all()) == 1
    assert len(session.exec(select(Notification)).all()) == 1


def test_the_month_starts_in_the_givers_time_zone():
    person = User(email="x@example.com", handle="x", display_name="X", time_zone="Asia/Tokyo")
    # 1 March 00:30 in Tokyo is still February in UTC.
    start = month_start(person, now=datetime(2026, 2, 28, 15, 30, tzinfo=UTC))
    assert start == datetime(2026, 2, 28, 15, 0, tzinfo=UTC)


def test_kudos_can_thank_a_comment_and_its_author(session):
    author, commenter = make_user(session), make_user(session)
    space = make_space(session, host=author, members=(commenter,))
    post = make_post(session, author=author, space=space)
    comment = make_comment(session, author=commenter, post=post)

    (row,) = give_kudos(
        session, giver=author, message="Great answer", target_type="comment", target_id=comment.id
    )

    assert (row.receiver_id, row.target_type, row.space_id) == (commenter.id, "comment", space.id)


def test_kudos_cannot_point_at_content_the_receiver_cannot_see(session):
    _author, member, outsider, _space, post = _private_world(session)
    with pytest.raises(Invalid, match="cannot see this"):
        give_kudos(
            session,
            giver=member,
            receiver_ids=[outsider.id],
            message="Look!",
            target_type="post",
            target_id=post.id,
        )


def test_kudos_cannot_point_at_content_the_giver_cannot_see(session):
    author, _member, outsider, _space, post = _private_world(session)
    with pytest.raises(NotFound):
        give_kudos(
            session,
            giver=outsider,
            receiver_ids=[author.id],
            message="?",
            target_type="post",
            target_id=post.id,
        )


def test_kudos_tied_to_a_private_post_never_show_it_to_non_members(session, login):
    author, member, outsider, space, post = _private_world(session)
    give_kudos(
        session,
        giver=member,
        message="Brilliant work on Falcon",
        target_type="post",
        target_id=post.id,
    )
    give_kudos(session, giver=outsider, receiver_ids=[author.id], message="Thanks for lunch")
    update_preferences(session, user=author, hide_badges=False, kudos_in_space=True)
    session.commit()

    outsider_view = login(outsider).get(f"/people/{author.id}").text
    outsider_list = login(outsider).get(f"/people/{author.id}/kudos").text
    member_view = login(member).get(f"/people/{author.id}").text

    for page in (outsider_view, outsider_list):
        assert "Thanks for lunch" in page
        assert "Falcon" not in page and "Merger" not in page and space.name not in page
    assert "Brilliant work on Falcon" in member_view
    assert "Merger codename Falcon" in member_view
    assert [
        v.kudos.message for v in kudos_received(session, viewer=outsider, person=author).items
    ] == ["Thanks for lunch"]


def test_kudos_for_deleted_content_stay_without_the_title(session, login):
    author, fan = make_user(session), make_user(session)
    space = make_space(session, host=author, members=(fan,))
    post = make_post(session, author=author, space=space, title="Old announcement")
    give_kudos(session, giver=fan, message="Thanks", target_type="post", target_id=post.id)
    delete_post(session, user=author, post_id=post.id)
    session.commit()

    page = login(fan).get(f"/people/{author.id}").text

    assert "Thanks" in page
    assert "Old announcement" not in page
    assert "no longer available" in page


def test_kudos_show_in_the_space_only_if_the_receiver_allows(session, login):
    author, fan = make_user(session), make_user(session)
    space = make_space(session, host=author, members=(fan,))
    post = make_post(session, author=author, space=space)
    give_kudos(session, giver=fan, message="Shout-out!", target_type="post", target_id=post.id)
    session.commit()
    client = login(fan)
    assert "Shout-out!" not in client.get(f"/spaces/{space.slug}").text

    update_preferences(session, user=author, hide_badges=False, kudos_in_space=True)
    session.commit()

    assert "Shout-out!" in client.get(f"/spaces/{space.slug}").text


def test_the_thank_you_wall_is_off_by_default_and_follows_the_access_policy(session, login):
    author, member, outsider, space, post = _private_world(session)
    give_kudos(session, giver=member, message="Bravo", target_type="post", target_id=post.id)
    update_preferences(session, user=author, hide_badges=False, kudos_in_space=True)
    session.commit()
    assert login(member).get(f"/spaces/{space.slug}/thanks").status_code == 404

    configure(session, thank_you_wall=True)

    wall = login(member).get(f"/spaces/{space.slug}/thanks")
    assert wall.status_code == 200 and "Bravo" in wall.text and "Merger codename" in wall.text
    assert login(outsider).get(f"/spaces/{space.slug}/thanks").status_code == 404
    # A wall is a list in the order given, not a ranking of people.
    assert "leaderboard" not in wall.text.lower()


def test_preferences_page_saves_the_persons_choices(session, login):
    person = make_user(session)
    client = login(person)
    assert client.get("/settings/recognition").status_code == 200

    response = client.form(
        "/settings/recognition", {"hide_badges": "true", "kudos_in_space": "true"}
    )

    assert response.status_code == 303
    page = client.get("/settings/recognition").text
    assert page.count("checked") == 2
