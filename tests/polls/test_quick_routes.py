"""Quick poll pages: the composer states named or anonymous, the post page loads the poll, voting
by htmx and by plain form, and an anonymous poll names nobody on any page."""

from sqlmodel import func, select

from app.polls.models import Poll, PollOption
from app.polls.quick import create_poll, vote
from tests.factories import make_post, make_space, make_user


def _world(session, voters=5):
    host = make_user(session, name="Hanna Host")
    people = [make_user(session, name=f"Voter {n}") for n in range(voters)]
    space = make_space(session, host=host, members=tuple(people), visibility="private")
    post = make_post(session, author=host, space=space, title="Lunch plans")
    return host, people, space, post


def test_the_author_adds_a_poll_through_the_form(session, login):
    host, people, _space, post = _world(session, voters=1)
    client = login(host)
    page = client.get(f"/posts/{post.id}")
    assert "Add a poll" in page.text
    composer = client.get(f"/posts/{post.id}/poll/new")
    assert "nobody, admins included, can see who chose what" in composer.text
    bad = client.form(f"/posts/{post.id}/poll", {"question": "Where?", "options": "Only one"})
    assert bad.status_code == 422
    assert "Give at least two options" in bad.text
    assert session.exec(select(func.count()).select_from(Poll)).one() == 0
    made = client.form(
        f"/posts/{post.id}/poll",
        {"question": "Where?", "options": "Pizza\nSalad\n\n", "anonymous": "0"},
    )
    assert made.status_code == 303, made.text
    poll = session.exec(select(Poll)).one()
    assert f"/polls/{poll.id}" in client.get(f"/posts/{post.id}").text
    assert login(people[0]).get(f"/posts/{post.id}/poll/new").status_code == 200
    assert (
        login(people[0]).form(f"/posts/{post.id}/poll", {"question": "Q", "options": "a\nb"})
    ).status_code == 403


def test_vote_by_htmx_and_plain_form_on_a_named_poll(session, login):
    host, people, _space, post = _world(session, voters=2)
    poll = create_poll(session, user=host, post_id=post.id, question="Where?", options=["A", "B"])
    session.commit()
    client = login(people[0])
    page = client.get(f"/polls/{poll.id}")
    assert "Named poll" in page.text
    options = session.exec(select(Poll)).one()
    a, b = session.exec(select(PollOption.id).order_by(PollOption.position)).all()
    fragment = client.htmx(
        "POST", f"/polls/{options.id}/vote", target="quick-poll", data={"option_ids": str(a)}
    )
    assert fragment.status_code == 200, fragment.text
    assert fragment.text.lstrip().startswith('<section class="quick-poll card" id="quick-poll"')
    assert "1 vote" in fragment.text and "Voter 0" in fragment.text
    plain = client.form(f"/polls/{poll.id}/vote", {"option_ids": str(b)})
    assert plain.status_code == 303
    assert plain.headers["location"] == f"/posts/{post.id}"
    bad = client.htmx(
        "POST", f"/polls/{poll.id}/vote", target="quick-poll", data={"option_ids": "999999"}
    )
    assert bad.status_code == 422


def test_an_anonymous_poll_names_nobody_on_its_page_even_for_an_admin(session, login):
    host, people, space, post = _world(session, voters=6)
    poll = create_poll(
        session,
        user=host,
        post_id=post.id,
        question="Rate it",
        options=["Good", "Bad"],
        anonymous=True,
    )
    good = session.exec(select(PollOption.id).order_by(PollOption.position)).first()
    for person in people:
        vote(session, user=person, poll_id=poll.id, option_ids=[good])
    session.commit()
    admin = make_user(session, name="Ada Admin", admin=True)
    # The author has not answered: the count of answers, but no results yet.
    text = login(host).get(f"/polls/{poll.id}").text
    assert "6 answers" in text and "votes" not in text
    text = login(people[0]).get(f"/polls/{poll.id}").text
    assert "6 votes" in text
    assert all(p.display_name not in text for p in people[1:])
    # The admin is not a member of this private space: not found, nothing shown.
    hidden = login(admin).get(f"/polls/{poll.id}")
    assert hidden.status_code == 404
    assert "Rate it" not in hidden.text
    assert space.name not in hidden.text
