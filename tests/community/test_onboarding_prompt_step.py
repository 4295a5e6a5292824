"""The checklist's prompt step is stored when a person first answers a prompt (domain event), so
reading it costs the same however many comments the person wrote."""

from sqlalchemy import event

from app.core.db import get_engine
from app.my_data.service import export_my_data
from app.onboarding.models import OnboardingProgress
from app.onboarding.service import checklist
from app.posts.service import delete_comment
from tests.factories import make_comment, make_post, make_space, make_user


def _prompt_step(session, user) -> bool:  # type: ignore[no-untyped-def]
    return next(step.done for step in checklist(session, user=user).steps if step.key == "prompt")


def test_answering_a_prompt_ticks_the_step_and_deleting_the_answer_keeps_it(session):
    host, me = make_user(session), make_user(session)
    space = make_space(session, host=host, members=(me,))
    make_comment(session, author=me, post=make_post(session, author=host, space=space))
    assert not _prompt_step(session, me)  # a comment on an ordinary post is not an answer

    prompt = make_post(session, author=host, space=space, kind="prompt", title="Hello?")
    answer = make_comment(session, author=me, post=prompt)
    assert _prompt_step(session, me)
    first = session.get(OnboardingProgress, me.id).answered_prompt_at
    make_comment(session, author=me, post=prompt)
    session.expire_all()
    assert session.get(OnboardingProgress, me.id).answered_prompt_at == first  # the first stays

    delete_comment(session, user=me, comment_id=answer.id)
    session.commit()
    assert _prompt_step(session, me)
    assert export_my_data(session, user=me)["onboarding"]["first_prompt_answer_at"] is not None


def test_the_host_of_the_prompt_is_not_marked_by_someone_elses_answer(session):
    host, me = make_user(session), make_user(session)
    space = make_space(session, host=host, members=(me,))
    prompt = make_post(session, author=host, space=space, kind="prompt", title="Hello?")
    make_comment(session, author=me, post=prompt)
    assert not _prompt_step(session, host)


def test_reading_the_checklist_does_not_walk_the_persons_comments(session):
    host, me = make_user(session), make_user(session)
    space = make_space(session, host=host, members=(me,))
    post = make_post(session, author=host, space=space)
    for _ in range(3):
        make_comment(session, author=me, post=post)
    seen: list[str] = []

    def capture(_conn, _cursor, statement, *_args) -> None:  # type: ignore[no-untyped-def]
        seen.append(statement)

    event.listen(get_engine(), "before_cursor_execute", capture)
    try:
        checklist(session, user=me)
    finally:
        event.remove(get_engine(), "before_cursor_execute", capture)
    assert len(seen) == 1 and "comments" not in seen[0]
