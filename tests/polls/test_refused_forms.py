"""Refused poll forms (propose dates, answer them, a quick poll, a vote): 422, the message where
the form shows it, what was typed kept, nothing stored."""

from sqlmodel import func, select

from app.polls.models import DatePoll, DatePollAnswer, Poll, PollVote
from app.polls.quick import create_poll
from tests.factories import make_post, make_space, make_user
from tests.polls.factories import make_date_poll

# The end of the first date comes before its start.
DATES_TYPED = {
    "title": "Summer dinner",
    "timezone": "Europe/Berlin",
    "rows": "3",
    "starts_at_0": "2030-07-02T18:00",
    "ends_at_0": "2030-07-02T17:00",
}
# One option is not a choice.
POLL_TYPED = {
    "question": "Where to eat?",
    "options": "Only the canteen",
    "multiple": "1",
    "anonymous": "1",
    "results": "after_close",
}


def _count(session, model) -> int:
    return session.exec(select(func.count()).select_from(model)).one()


def _field_error(text: str, name: str) -> str:
    return text.split(f'id="{name}-error"', 1)[1].split("</p>", 1)[0]


def test_a_refused_date_poll_keeps_every_row_typed_and_stores_nothing(session, login):
    host = make_user(session)
    space = make_space(session, host=host, visibility="public")
    client = login(host)

    page = client.form(f"/spaces/{space.slug}/date-polls", DATES_TYPED)

    assert page.status_code == 422
    assert "The end must be after the start" in _field_error(page.text, "options.0.ends_at")
    assert 'value="Summer dinner"' in page.text
    assert 'value="2030-07-02T18:00"' in page.text and 'value="2030-07-02T17:00"' in page.text
    assert _count(session, DatePoll) == 0


def test_a_refused_date_answer_stores_no_answer(session, login):
    host, member = make_user(session), make_user(session)
    space = make_space(session, host=host, members=(member,))
    poll, options = make_date_poll(session, host=host, space=space)
    client = login(member)

    typed = {f"answer_{options[0].id}": "yes", f"answer_{options[1].id}": "perhaps"}
    answer = client.htmx("POST", f"/date-polls/{poll.id}/answers", target="poll", data=typed)

    assert answer.status_code == 422
    assert '<p class="form-error" role="alert">' in answer.text and "<html" not in answer.text
    assert _count(session, DatePollAnswer) == 0


def test_a_refused_quick_poll_keeps_what_was_typed_and_stores_nothing(session, login):
    host = make_user(session)
    post = make_post(session, author=host, space=make_space(session, host=host))
    client = login(host)

    page = client.form(f"/posts/{post.id}/poll", POLL_TYPED)

    assert page.status_code == 422
    assert "Give at least two options" in _field_error(page.text, "options")
    assert 'value="Where to eat?"' in page.text
    assert ">Only the canteen</textarea>" in page.text
    assert 'name="multiple" value="1" checked' in page.text
    assert 'name="anonymous" value="1" checked' in page.text
    assert 'name="results" value="after_close" checked' in page.text
    assert _count(session, Poll) == 0


def test_a_refused_vote_answers_its_block_and_stores_no_vote(session, login):
    host, member = make_user(session), make_user(session)
    space = make_space(session, host=host, members=(member,))
    post = make_post(session, author=host, space=space)
    poll = create_poll(session, user=host, post_id=post.id, question="Where?", options=["A", "B"])
    session.commit()
    client = login(member)

    answer = client.htmx("POST", f"/polls/{poll.id}/vote", target="quick-poll", data={})

    assert answer.status_code == 422
    assert '<p class="form-error" role="alert">' in answer.text and "<html" not in answer.text
    assert _count(session, PollVote) == 0
    assert client.form(f"/polls/{poll.id}/vote", {"option_ids": "x"}).status_code == 422
    assert _count(session, PollVote) == 0
