"""Every built-in rule: who qualifies, who does not, and when the badge arrives."""

from sqlmodel import select

from app.notifications.models import Notification
from app.posts.service import delete_post, react, set_pinned
from app.recognition.badges import BUILTIN_BADGES, ensure_builtin_badges
from app.recognition.jobs import grant_badges
from app.recognition.kudos import give_kudos
from app.recognition.models import Award, Badge
from app.recognition.service import set_leader
from tests.factories import make_comment, make_post, make_space, make_user
from tests.recognition.helpers import forget_awards, holders, slugs_of


def test_about_ten_builtin_badges_exist_including_leader_and_early_adopter(session):
    badges = ensure_builtin_badges(session)
    session.commit()

    assert len(BUILTIN_BADGES) >= 10
    assert {"leader", "early-adopter", "first-post", "first-comment", "helpful"} <= set(badges)
    assert all(b.is_builtin and b.rule for b in badges.values())
    # Asking again adds nothing.
    ensure_builtin_badges(session)
    assert len(session.exec(select(Badge)).all()) == len(BUILTIN_BADGES)


def test_first_post_is_granted_right_after_posting_without_a_notification(session):
    host = make_user(session)
    space = make_space(session, host=host)

    make_post(session, author=host, space=space)

    assert holders(session, "first-post") == [host.id]
    assert session.exec(select(Notification)).all() == []


def test_first_comment_is_granted_to_the_commenter_only(session):
    host, member = make_user(session), make_user(session)
    space = make_space(session, host=host, members=(member,))
    post = make_post(session, author=host, space=space)

    make_comment(session, author=member, post=post)

    assert holders(session, "first-comment") == [member.id]


def test_helpful_needs_ten_reactions_from_others_on_live_posts(session):
    author = make_user(session)
    fans = [make_user(session) for _ in range(4)]
    space = make_space(session, host=author, members=tuple(fans))
    posts = [make_post(session, author=author, space=space, title=f"p{i}") for i in range(3)]
    # Two reactions on a post that is then deleted: they no longer count.
    for fan in fans[:2]:
        react(session, user=fan, post_id=posts[2].id, kind="thanks")
    delete_post(session, user=author, post_id=posts[2].id)
    # 4 people x 2 posts = 8 reactions, plus the author's own (not counted).
    for fan in fans:
        for post in posts[:2]:
            react(session, user=fan, post_id=post.id, kind="like")
    react(session, user=author, post_id=posts[0].id, kind="like")
    session.commit()
    grant_badges(session)
    assert holders(session, "helpful") == []

    react(session, user=fans[0], post_id=posts[0].id, kind="insightful")
    assert holders(session, "helpful") == []
    react(session, user=fans[1], post_id=posts[0].id, kind="insightful")

    # Right after the tenth reaction, without the job.
    assert holders(session, "helpful") == [author.id]


def test_helpful_after_a_reaction_only_looks_at_the_author(session, count_queries):
    author, fan = make_user(session), make_user(session)
    space = make_space(session, host=author, members=(fan,))
    post = make_post(session, author=author, space=space)
    many = [make_post(session, author=fan, space=space, title=f"fan {i}") for i in range(3)]
    for other in many:
        react(session, user=author, post_id=other.id, kind="like")
    session.commit()
    with count_queries() as first:
        react(session, user=fan, post_id=post.id, kind="like")
    helpful = ensure_builtin_badges(session)["helpful"]
    session.add(Award(user_id=author.id, badge_id=helpful.id, reason="given"))
    session.commit()
    with count_queries() as held:
        react(session, user=fan, post_id=post.id, kind="thanks")

    # Once the author holds the badge, a reaction costs one lookup of held badges, no rule.
    assert len(held) < len(first)
    assert not any("HAVING" in q and "reactions" in q for q in held)
    assert any("HAVING" in q and "reactions" in q for q in first)


def test_welcomer_counts_distinct_newcomers_whose_first_post_got_a_comment(session):
    welcomer = make_user(session)
    newcomers = [make_user(session) for _ in range(5)]
    space = make_space(session, host=welcomer, members=tuple(newcomers))
    first_posts = [make_post(session, author=n, space=space, title="hi") for n in newcomers]
    second = make_post(session, author=newcomers[0], space=space, title="again")

    # Five comments, but on two newcomers' posts only (one of them not a first post).
    for _ in range(3):
        make_comment(session, author=welcomer, post=first_posts[0])
    make_comment(session, author=welcomer, post=second)
    make_comment(session, author=welcomer, post=first_posts[1])
    assert "welcomer" not in slugs_of(session, welcomer.id)

    for post in first_posts[2:]:
        make_comment(session, author=welcomer, post=post)

    assert "welcomer" in slugs_of(session, welcomer.id)


def test_conversation_starter_goes_to_the_author_right_after_the_fifth_commenter(session):
    author = make_user(session)
    others = [make_user(session) for _ in range(5)]
    space = make_space(session, host=author, members=tuple(others))
    post = make_post(session, author=author, space=space)
    for person in others[:4]:
        make_comment(session, author=person, post=post)
    make_comment(session, author=others[0], post=post)  # the same person twice counts once
    make_comment(session, author=author, post=post)  # the author's own reply does not count
    assert "conversation-starter" not in slugs_of(session, author.id)

    make_comment(session, author=others[4], post=post)

    assert holders(session, "conversation-starter") == [author.id]


def test_curious_mind_after_three_questions(session):
    asker = make_user(session)
    space = make_space(session, host=asker)
    make_post(session, author=asker, space=space, kind="question", title="q1")
    make_post(session, author=asker, space=space, kind="question", title="q2")
    make_post(session, author=asker, space=space, title="not a question")
    assert "curious-mind" not in slugs_of(session, asker.id)

    make_post(session, author=asker, space=space, kind="question", title="q3")

    assert "curious-mind" in slugs_of(session, asker.id)


def test_bridge_builder_after_taking_part_in_three_spaces(session):
    person, host = make_user(session), make_user(session)
    spaces = [make_space(session, host=host, members=(person,)) for _ in range(3)]
    make_post(session, author=person, space=spaces[0])
    other_post = make_post(session, author=host, space=spaces[1])
    make_comment(session, author=person, post=other_post)
    assert "bridge-builder" not in slugs_of(session, person.id)

    make_post(session, author=person, space=spaces[2])

    assert "bridge-builder" in slugs_of(session, person.id)


def test_generous_after_thanking_five_different_colleagues(session):
    giver = make_user(session)
    colleagues = [make_user(session) for _ in range(5)]
    for person in colleagues[:4]:
        give_kudos(session, giver=giver, receiver_ids=[person.id], message="Thanks!")
    give_kudos(session, giver=giver, receiver_ids=[colleagues[0].id], message="Again!")
    session.commit()
    assert "generous" not in slugs_of(session, giver.id)

    give_kudos(session, giver=giver, receiver_ids=[colleagues[4].id], message="Thanks!")
    session.commit()

    assert holders(session, "generous") == [giver.id]


def test_leader_badge_follows_the_admins_choice(session):
    admin, person = make_user(session, admin=True), make_user(session)

    set_leader(session, actor=admin, person=person, is_leader=True, title="Head of Sales")
    session.commit()
    assert holders(session, "leader") == [person.id]

    set_leader(session, actor=admin, person=person, is_leader=False)
    session.commit()
    assert holders(session, "leader") == []
    assert person.leader_title == ""


def test_the_job_mirrors_leaders_marked_outside_the_admin_page(session):
    admin, marked, unmarked = make_user(session, admin=True), make_user(session), make_user(session)
    set_leader(session, actor=admin, person=unmarked, is_leader=True)
    marked.is_leader, unmarked.is_leader = True, False  # e.g. demo data, a database fix
    session.add_all([marked, unmarked])
    session.commit()

    grant_badges(session)
    session.commit()

    assert holders(session, "leader") == [marked.id]


def test_the_job_grants_what_the_hooks_missed_and_is_idempotent(session):
    host, member = make_user(session), make_user(session)
    space = make_space(session, host=host, members=(member,))
    post = make_post(session, author=host, space=space)
    make_comment(session, author=member, post=post)
    set_pinned(session, user=host, post_id=post.id, pinned=True)
    session.commit()
    forget_awards(session)

    first = grant_badges(session)
    session.commit()
    second = grant_badges(session)
    session.commit()

    assert first > 0
    assert second == 0
    assert holders(session, "first-post") == [host.id]
    assert holders(session, "first-comment") == [member.id]
