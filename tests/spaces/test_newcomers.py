"""Newcomers land somewhere: spaces everyone joins, the welcome page, the checklist's links."""

import pytest
from sqlmodel import select
from typer.testing import CliRunner

from app.cli import cli
from app.core.errors import Invalid, NotFound
from app.people.models import User
from app.people.service import invite_user
from app.spaces.access import access_for
from app.spaces.models import Membership, MemberState
from app.spaces.newcomers import set_everyone_joins, take_first_sign_in, welcome_newcomer
from app.spaces.service import add_member, set_archived
from tests.factories import make_post, make_space, make_user


def _member_spaces(session, user) -> set[int]:
    session.expire_all()
    rows = session.exec(
        select(Membership.space_id).where(
            Membership.user_id == user.id, Membership.state == MemberState.active
        )
    ).all()
    return set(rows)


def _everyone_joins(session, admin, space) -> None:
    set_everyone_joins(session, admin=admin, space_id=space.id, on=True)
    session.commit()


def test_a_newcomer_joins_every_space_everyone_joins_once(session):
    admin = make_user(session, admin=True)
    welcome = make_space(session, host=admin, name="Welcome")
    private = make_space(session, host=admin, visibility="private", join_policy="request")
    archived = make_space(session, host=admin)
    other = make_space(session, host=admin)
    for space in (welcome, private, archived):
        _everyone_joins(session, admin, space)
    set_archived(session, access=access_for(session, admin, archived), archived=True)
    newcomer = make_user(session)
    assert not newcomer.welcome_pending

    joined = welcome_newcomer(session, user=newcomer)
    session.commit()

    assert {space.id for space in joined} == {welcome.id, private.id}
    assert _member_spaces(session, newcomer) == {welcome.id, private.id}
    assert other.id not in _member_spaces(session, newcomer)
    assert newcomer.welcome_pending
    assert welcome_newcomer(session, user=newcomer) == []  # idempotent
    assert take_first_sign_in(session, user=newcomer) is True
    assert take_first_sign_in(session, user=newcomer) is False


def test_an_invited_membership_becomes_active_when_welcomed(session):
    admin = make_user(session, admin=True)
    space = make_space(session, host=admin, join_policy="invite")
    _everyone_joins(session, admin, space)
    newcomer = make_user(session)
    add_member(session, access=access_for(session, admin, space), user=newcomer, invite=True)
    session.commit()

    assert [s.id for s in welcome_newcomer(session, user=newcomer)] == [space.id]
    assert _member_spaces(session, newcomer) == {space.id}


def test_a_secret_space_is_never_one_everyone_joins(session):
    admin, host = make_user(session, admin=True), make_user(session)
    hidden = make_space(session, host=host, visibility="secret")
    own_secret = make_space(session, host=admin, visibility="secret")

    with pytest.raises(NotFound):  # the admin does not even know of it
        set_everyone_joins(session, admin=admin, space_id=hidden.id, on=True)
    with pytest.raises(Invalid):
        set_everyone_joins(session, admin=admin, space_id=own_secret.id, on=True)
    session.rollback()
    # Flagged earlier, made secret later: still no way in.
    own_secret.everyone_joins = True
    session.add(own_secret)
    session.commit()
    newcomer = make_user(session)
    assert welcome_newcomer(session, user=newcomer) == []


def test_the_cli_puts_a_new_account_into_the_spaces_everyone_joins(session):
    admin = make_user(session, admin=True)
    space = make_space(session, host=admin, name="Welcome Hall")
    _everyone_joins(session, admin, space)

    result = CliRunner().invoke(
        cli, ["users", "create", "new@example.com", "--name", "New"], input="a-strong-password\n"
    )

    assert result.exit_code == 0, result.output
    assert "Joined: Welcome Hall" in result.output
    user = session.exec(select(User).where(User.email == "new@example.com")).one()
    assert _member_spaces(session, user) == {space.id}
    assert user.welcome_pending


def test_accepting_an_invitation_joins_and_the_first_sign_in_opens_the_welcome_page(
    session, client, login
):
    admin = make_user(session, admin=True)
    space = make_space(session, host=admin, name="Welcome Hall")
    _everyone_joins(session, admin, space)
    invitee, token = invite_user(
        session, email="fresh@example.com", display_name="Fresh", invited_by=admin
    )
    session.commit()
    assert _member_spaces(session, invitee) == set()  # not before they accept

    done = client.form(f"/invite/{token}", {"password": "a-long-enough-password"})

    assert done.status_code == 303 and done.headers["location"] == "/welcome"
    assert _member_spaces(session, invitee) == {space.id}
    # The next sign-in goes home as usual.
    again = login(invitee, password="a-long-enough-password")
    assert again.get("/welcome").status_code == 200
    session.expire_all()
    assert not session.get(User, invitee.id).welcome_pending


def test_a_first_sign_in_to_a_particular_page_goes_there(session, client):
    user = make_user(session)
    welcome_newcomer(session, user=user)
    session.commit()
    client.refresh_csrf()
    first = client.form(
        "/login", {"email": user.email, "password": "correct-horse-battery", "next": "/spaces"}
    )
    assert first.headers["location"] == "/spaces"


def test_a_first_sign_in_opens_the_welcome_page_then_home(session, client):
    user = make_user(session)
    welcome_newcomer(session, user=user)
    session.commit()
    client.refresh_csrf()
    data = {"email": user.email, "password": "correct-horse-battery", "next": "/"}
    assert client.form("/login", data).headers["location"] == "/welcome"
    assert client.form("/login", data).headers["location"] == "/"


def test_the_welcome_page_explains_and_offers_three_open_public_spaces(session, login):
    host, me = make_user(session), make_user(session)
    busy = make_space(session, host=host, name="Busy", members=(make_user(session),))
    quiet = [make_space(session, host=host, name=f"Quiet {n}") for n in range(3)]
    make_space(session, host=host, name="Pay Talk", visibility="private")
    make_space(session, host=host, name="Board Room", visibility="secret")
    make_space(session, host=host, name="Ask First", join_policy="request")
    mine = make_space(session, host=host, name="Already Mine", members=(me,))

    page = login(me).get("/welcome")

    assert page.status_code == 200
    assert "What Agora is for" in page.text and "Who can read what" in page.text
    offered = page.text.split('class="plain welcome-spaces"')[1].split("</ul>")[0]
    assert offered.count("<li") == 3
    assert busy.name in offered  # the liveliest first
    assert quiet[0].name in offered and quiet[1].name in offered
    for absent in ("Pay Talk", "Board Room", "Ask First", mine.name):
        assert absent not in offered
    assert 'action="/welcome/spaces/busy/join"' in offered
    assert 'hx-post="/welcome/spaces/busy/join"' in offered


def test_joining_from_the_welcome_page_works_with_and_without_javascript(session, login):
    host, me = make_user(session), make_user(session)
    first = make_space(session, host=host, name="First")
    second = make_space(session, host=host, name="Second")
    client = login(me)

    plain = client.form(f"/welcome/spaces/{first.slug}/join")
    assert plain.status_code == 303
    assert plain.headers["location"] == f"/welcome?joined={first.slug}"
    assert "You joined First." in client.get(plain.headers["location"]).text

    swapped = client.htmx("POST", f"/welcome/spaces/{second.slug}/join")
    assert swapped.status_code == 200
    assert "<html" not in swapped.text and "Joined" in swapped.text
    assert f'id="suggested-{second.slug}"' in swapped.text
    assert _member_spaces(session, me) == {first.id, second.id}


def test_joining_a_space_one_may_not_know_of_answers_404(session, login):
    host, me = make_user(session), make_user(session)
    secret = make_space(session, host=host, name="Board Room", visibility="secret")
    client = login(me)
    assert client.form(f"/welcome/spaces/{secret.slug}/join").status_code == 404
    assert client.form("/welcome/spaces/no-such-space/join").status_code == 404
    assert "Board Room" not in client.get(f"/welcome?joined={secret.slug}").text
    assert _member_spaces(session, me) == set()


def test_every_checklist_item_leads_where_it_is_done(session, login):
    host, me = make_user(session), make_user(session)
    public = make_space(session, host=host)
    private = make_space(session, host=host, visibility="private")
    prompt = make_post(session, author=host, space=public, kind="prompt", title="Say hello")
    make_post(session, author=host, space=private, kind="prompt", title="Hidden prompt")

    page = login(me).get("/welcome")

    assert 'href="/settings#title"' in page.text
    assert 'href="/spaces"' in page.text
    assert f'href="/posts/{prompt.id}#comment-form"' in page.text
    assert 'href="/about/visibility"' in page.text
    assert '<a href="/">Answer a welcome prompt' not in page.text


def test_the_admin_chooses_the_spaces_everyone_joins(session, login):
    admin, host, member = make_user(session, admin=True), make_user(session), make_user(session)
    welcome = make_space(session, host=host, name="Welcome Hall")
    make_space(session, host=host, name="Board Room", visibility="secret")
    client = login(admin)

    page = client.get("/admin/spaces")
    assert page.status_code == 200
    assert "Welcome Hall" in page.text and "Board Room" not in page.text
    assert "/admin/spaces" in client.get("/admin/people").text

    saved = client.form(f"/admin/spaces/{welcome.id}/everyone-joins", {"everyone_joins": "true"})
    assert saved.status_code == 303
    session.expire_all()
    assert session.get(type(welcome), welcome.id).everyone_joins
    assert "Stop adding newcomers" in client.get("/admin/spaces").text

    off = client.form(f"/admin/spaces/{welcome.id}/everyone-joins", {"everyone_joins": "false"})
    assert off.status_code == 303
    session.expire_all()
    assert not session.get(type(welcome), welcome.id).everyone_joins

    outsider = login(member)
    assert outsider.get("/admin/spaces").status_code == 403
    refused = outsider.form(f"/admin/spaces/{welcome.id}/everyone-joins", {"everyone_joins": "1"})
    assert refused.status_code == 403


def test_the_admin_page_refuses_a_secret_space_with_a_message(session, login):
    admin = make_user(session, admin=True)
    secret = make_space(session, host=admin, name="Board Room", visibility="secret")
    client = login(admin)
    response = client.form(f"/admin/spaces/{secret.id}/everyone-joins", {"everyone_joins": "true"})
    assert response.status_code == 422
    assert "secret space cannot be one that everyone joins" in response.text
    session.expire_all()
    assert not session.get(type(secret), secret.id).everyone_joins
    assert client.form("/admin/spaces/99999/everyone-joins").status_code == 404


def test_the_welcome_and_admin_pages_run_a_constant_number_of_queries(
    session, login, count_queries
):
    admin, me = make_user(session, admin=True), make_user(session)
    make_space(session, host=admin)
    admin_client, client = login(admin), login(me)
    with count_queries() as few:
        assert client.get("/welcome").status_code == 200
    with count_queries() as admin_few:
        assert admin_client.get("/admin/spaces").status_code == 200
    for n in range(6):
        space = make_space(session, host=admin, members=(make_user(session),))
        make_post(session, author=admin, space=space, kind="prompt", title=f"Prompt {n}")
    with count_queries() as many:
        assert client.get("/welcome").status_code == 200
    with count_queries() as admin_many:
        assert admin_client.get("/admin/spaces").status_code == 200
    # session, checklist, suggestions (and the unread count of the page head)
    assert len(many) == len(few) <= 6
    assert len(admin_many) == len(admin_few) <= 5
