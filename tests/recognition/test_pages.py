"""Recognition on pages: leader badges beside names, leaders' voices, spotlight, query counts."""

import re

import pytest
from sqlmodel import select

from app.people.models import AuditEntry
from app.recognition.service import set_leader, update_preferences
from app.spaces.access import access_for
from app.spaces.service import join_space
from tests.factories import make_comment, make_post, make_space, make_user


def _leader(session, admin, person, title="Head of Sales"):
    set_leader(session, actor=admin, person=person, is_leader=True, title=title)
    session.commit()


def test_admin_marks_a_leader_on_the_page_and_the_badge_shows_in_the_stream(session, login):
    admin, author, reader = make_user(session, admin=True), make_user(session), make_user(session)
    space = make_space(session, host=author, members=(reader,))
    make_post(session, author=author, space=space, title="Quarterly plan")
    client = login(admin)

    response = client.form(
        "/admin/recognition/leaders", {"email": author.email, "title": "Head of Sales"}
    )

    assert response.status_code == 303
    audit = session.exec(select(AuditEntry).where(AuditEntry.action == "user.leader")).one()
    assert (audit.actor_id, audit.target_id) == (admin.id, author.id)
    page = login(reader).get(f"/spaces/{space.slug}").text
    card = page.split('id="post-', 1)[1]
    # Text, not only colour, and the title for screen readers.
    assert re.search(r'class="badge badge-leader"[^>]*>.*Leader.*: Head of Sales', card)


def test_only_admins_mark_leaders(session, login):
    member, other = make_user(session), make_user(session)
    response = login(member).form("/admin/recognition/leaders", {"email": other.email})
    assert response.status_code == 403
    session.refresh(other)
    assert not other.is_leader


def test_unknown_email_re_renders_the_admin_form_with_a_message(session, login):
    admin = make_user(session, admin=True)
    response = login(admin).form("/admin/recognition/leaders", {"email": "nobody@example.com"})
    assert response.status_code == 422
    assert "No one with that email address" in response.text


def test_leader_badge_shows_beside_names_in_comments_members_and_profiles(session, login):
    admin, leader, member = make_user(session, admin=True), make_user(session), make_user(session)
    space = make_space(session, host=member, members=(leader,))
    post = make_post(session, author=member, space=space)
    make_comment(session, author=leader, post=post)
    _leader(session, admin, leader)
    client = login(member)

    for url in (f"/posts/{post.id}", f"/spaces/{space.slug}/members", f"/people/{leader.id}"):
        assert "badge badge-leader" in client.get(url).text, url


def test_leaders_voices_show_only_posts_the_viewer_can_read(session, login):
    admin, leader = make_user(session, admin=True), make_user(session)
    member, outsider = make_user(session), make_user(session)
    private = make_space(session, host=leader, visibility="private", members=(member,))
    public = make_space(session, host=leader)
    make_post(session, author=leader, space=private, title="Private strategy memo")
    make_post(session, author=leader, space=public, title="Open letter to everyone")
    _leader(session, admin, leader)

    member_home = login(member).get("/").text
    outsider_home = login(outsider).get("/").text

    assert "Leaders' voices" in member_home
    assert "Private strategy memo" in member_home
    assert "Open letter to everyone" in outsider_home
    assert "Private strategy memo" not in outsider_home


def test_a_space_page_shows_the_leaders_taking_part(session, login):
    admin, leader, host = make_user(session, admin=True), make_user(session), make_user(session)
    space = make_space(session, host=host, members=(leader,))
    _leader(session, admin, leader, title="CFO")

    page = login(host).get(f"/spaces/{space.slug}").text

    section = page.split("Leaders taking part", 1)[1].split("</section>", 1)[0]
    assert leader.display_name in section


def test_spotlight_never_shows_content_the_viewer_cannot_read(session, login):
    host, early, outsider = make_user(session), make_user(session), make_user(session)
    private = make_space(session, host=host, visibility="private", members=(early,))
    make_post(session, author=early, space=private, title="Secret roadmap")
    # `early` is now an early adopter of the site and of the private space; `host` posted nothing.

    outsider_home = login(outsider).get("/").text
    member_space = login(host).get(f"/spaces/{private.slug}").text

    assert "Early adopter spotlight" in outsider_home
    assert early.display_name in outsider_home
    assert "Secret roadmap" not in outsider_home
    assert "Secret roadmap" in member_space.split("Early adopter spotlight", 1)[1]


def test_people_who_hide_their_badges_are_not_in_the_spotlight_or_beside_names(session, login):
    host, early = make_user(session), make_user(session)
    space = make_space(session, host=host, members=(early,))
    make_post(session, author=early, space=space, title="Hello")
    client = login(host)
    assert "Early adopter spotlight" in client.get(f"/spaces/{space.slug}").text
    assert "badge badge-mark" in client.get(f"/spaces/{space.slug}").text

    update_preferences(session, user=early, hide_badges=True, kudos_in_space=False)
    session.commit()
    page = client.get(f"/spaces/{space.slug}").text

    assert "Early adopter spotlight" not in page
    assert "badge badge-mark" not in page


def _authors(session, space, n):
    admin = make_user(session, admin=True)
    for _ in range(n):
        person = make_user(session)
        join_space(session, access=access_for(session, person, space))
        session.commit()
        make_post(session, author=person, space=space, title=f"by {person.display_name}")
        _leader(session, admin, person)


def test_badges_beside_names_take_no_query_per_author(session, login, count_queries):
    viewer = make_user(session)
    space = make_space(session, host=viewer)
    _authors(session, space, 2)
    client = login(viewer)
    with count_queries() as few_space:
        page = client.get(f"/spaces/{space.slug}")
    with count_queries() as few_home:
        client.get("/")
    assert page.text.count("badge badge-mark") == 2  # early adopters, beside their names
    _authors(session, space, 12)

    with count_queries() as many_space:
        page = client.get(f"/spaces/{space.slug}")
    with count_queries() as many_home:
        client.get("/")

    assert page.text.count("badge badge-leader") >= 14
    assert page.text.count("badge badge-mark") == 10  # the first ten only
    assert len(many_space) == len(few_space) <= 10
    assert len(many_home) == len(few_home) <= 12


def test_comment_authors_badges_take_no_query_per_comment(session, login, count_queries):
    host = make_user(session)
    space = make_space(session, host=host)
    post = make_post(session, author=host, space=space)

    def comment_as_new_member():
        person = make_user(session)
        join_space(session, access=access_for(session, person, space))
        session.commit()
        make_comment(session, author=person, post=post)

    comment_as_new_member()
    client = login(host)
    with count_queries() as few:
        page = client.get(f"/posts/{post.id}")
    assert page.text.count("badge badge-mark") == 2  # the post's author and the commenter
    for _ in range(8):
        comment_as_new_member()

    with count_queries() as many:
        page = client.get(f"/posts/{post.id}")

    assert page.text.count("badge badge-mark") == 10  # the first ten contributors
    assert len(many) == len(few)


@pytest.mark.parametrize(
    ("who", "status"), [("outsider", 404), ("admin", 404), ("member", 200), ("host", 200)]
)
def test_kudos_form_for_a_private_post_follows_the_access_policy(session, login, who, status):
    host, member = make_user(session), make_user(session)
    people = {"host": host, "member": member, "outsider": make_user(session),
              "admin": make_user(session, admin=True)}  # fmt: skip
    space = make_space(
        session, host=host, visibility="private", join_policy="request", members=(member,)
    )
    post = make_post(session, author=host, space=space, title="Board minutes")
    client = login(people[who])

    response = client.get(f"/kudos/new?post_id={post.id}&to={member.id}")

    assert response.status_code == status
    assert ("Board minutes" in response.text) == (status == 200)


def test_leaders_voices_are_the_newest_readable_leader_posts_whoever_wrote_them(session):
    from app.recognition.panels import home_panel

    admin, reader = make_user(session, admin=True), make_user(session)
    ann, ben, cem = make_user(session), make_user(session), make_user(session)
    space = make_space(session, host=admin, members=(reader, ann, ben, cem))
    hidden = make_space(session, host=ann, visibility="private")
    for leader in (ann, ben, cem):
        _leader(session, admin, leader)
    titles = [
        (cem, space, "oldest, by Cem"),
        (ann, space, "first by Ann"),
        (ben, space, "by Ben"),
        (ann, space, "second by Ann"),
        (ann, hidden, "Ann, private"),
        (ann, space, "third by Ann"),
    ]
    for author, where, title in titles:
        make_post(session, author=author, space=where, title=title)
    voices = home_panel(session, user=reader).voices
    assert [post.title for post, _author, _space in voices] == [
        "third by Ann",
        "second by Ann",
        "by Ben",
    ]


def test_leaders_voices_follow_who_is_a_leader_now_for_old_and_new_posts(session):
    from app.recognition.panels import home_panel

    admin, reader, dana = make_user(session, admin=True), make_user(session), make_user(session)
    space = make_space(session, host=admin, members=(reader, dana))
    make_post(session, author=dana, space=space, title="written before she led")
    session.commit()
    assert home_panel(session, user=reader).voices == []

    _leader(session, admin, dana)
    make_post(session, author=dana, space=space, title="written as a leader")
    titles = [post.title for post, _a, _s in home_panel(session, user=reader).voices]
    assert titles == ["written as a leader", "written before she led"]

    set_leader(session, actor=admin, person=dana, is_leader=False)
    session.commit()
    assert home_panel(session, user=reader).voices == []
