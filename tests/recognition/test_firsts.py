"""The pre-check that lets a write skip the rules only a first contribution can move, and the
badges that still arrive right after the write that earns them."""

from app.posts.service import delete_post
from app.recognition.firsts import firsts
from tests.factories import make_comment, make_post, make_space, make_user
from tests.recognition.helpers import slugs_of

BRIDGE = "count(DISTINCT contributions.space_id)"
WELCOMER = "count(DISTINCT posts.author_id)"


def _answer(session, person, space, post=None):
    return firsts(session, actor_id=person.id, space_id=space.id, post_id=post.id if post else None)


def test_a_first_contribution_in_a_space_is_told_apart_from_a_later_one(session):
    host, member = make_user(session), make_user(session)
    space = make_space(session, host=host, members=(member,))
    other = make_space(session, host=host, members=(member,))
    post = make_post(session, author=host, space=space)
    make_post(session, author=member, space=other)  # elsewhere: does not count here

    make_comment(session, author=member, post=post)
    assert _answer(session, member, space, post).first_in_space

    make_comment(session, author=member, post=post)
    assert not _answer(session, member, space, post).first_in_space


def test_a_deleted_contribution_does_not_make_the_next_one_a_repeat(session):
    host = make_user(session)
    space = make_space(session, host=host)
    gone = make_post(session, author=host, space=space, title="gone")
    delete_post(session, user=host, post_id=gone.id)
    make_post(session, author=host, space=space, title="kept")
    session.commit()

    assert _answer(session, host, space).first_in_space


def test_only_a_first_comment_on_someone_elses_first_post_welcomes(session):
    host, newcomer = make_user(session), make_user(session)
    space = make_space(session, host=host, members=(newcomer,))
    first = make_post(session, author=newcomer, space=space, title="hello")
    second = make_post(session, author=newcomer, space=space, title="again")
    own = make_post(session, author=host, space=space, title="mine")

    make_comment(session, author=host, post=first)
    assert _answer(session, host, space, first).welcomes_newcomer
    make_comment(session, author=host, post=first)
    assert not _answer(session, host, space, first).welcomes_newcomer  # welcomed already
    make_comment(session, author=host, post=second)
    assert not _answer(session, host, space, second).welcomes_newcomer  # not a first post
    make_comment(session, author=host, post=own)
    assert not _answer(session, host, space, own).welcomes_newcomer  # their own post


def test_a_repeat_comment_runs_neither_the_bridge_nor_the_welcomer_rule(session, count_queries):
    host, member = make_user(session), make_user(session)
    space = make_space(session, host=host, members=(member,))
    post = make_post(session, author=host, space=space)
    with count_queries() as first:
        make_comment(session, author=member, post=post)
    with count_queries() as again:
        make_comment(session, author=member, post=post)

    assert any(BRIDGE in q for q in first) and any(WELCOMER in q for q in first)
    assert not any(BRIDGE in q or WELCOMER in q for q in again)
    assert len(again) < len(first)


def test_bridge_builder_still_arrives_with_the_first_post_in_the_third_space(session):
    host, member = make_user(session), make_user(session)
    spaces = [make_space(session, host=host, members=(member,)) for i in range(3)]
    for space in spaces[:2]:
        for _ in range(3):
            make_post(session, author=member, space=space)
    assert "bridge-builder" not in slugs_of(session, member.id)

    make_post(session, author=member, space=spaces[2])

    assert "bridge-builder" in slugs_of(session, member.id)
