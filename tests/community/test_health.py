"""Health figures: right numbers, aggregates only, nobody singled out, constant queries."""

from datetime import timedelta

import pytest
from sqlalchemy import update
from sqlmodel import col

from app.core.db import utcnow
from app.core.errors import Invalid
from app.health.service import WEEK_CHOICES, WHO_CHOICES, eligible_space_ids, health_report
from app.people.models import User
from app.posts.models import Comment, Post
from app.posts.service import react
from app.spaces.models import Membership
from tests.factories import make_comment, make_post, make_space, make_user


def _people(session, n, **kwargs):
    return [make_user(session, **kwargs) for _ in range(n)]


def _backdate(session, model, ids, delta, *columns):
    values = {c: utcnow() - delta for c in columns}
    session.exec(update(model).where(col(model.id).in_(ids)).values(**values))
    session.commit()


def _make_leaders(session, users):
    session.exec(update(User).where(col(User.id).in_([u.id for u in users])).values(is_leader=True))
    session.commit()


def report_for(session, space, **kwargs):
    return health_report(session, space_ids=[space.id], **kwargs)


def test_weekly_figures_count_posts_comments_and_active_people(session):
    host = make_user(session)
    members = _people(session, 6)
    space = make_space(session, host=host, members=tuple(members))
    posts = [make_post(session, author=m, space=space) for m in members[:3]]
    make_comment(session, author=members[3], post=posts[0])
    make_comment(session, author=members[4], post=posts[0])
    react(session, user=members[5], post_id=posts[1].id, kind="like")
    session.commit()
    old = make_post(session, author=members[0], space=space)
    _backdate(session, Post, [old.id], timedelta(days=15), "published_at", "created_at")

    report = report_for(session, space, weeks=4)

    assert report.shown and report.people == 7
    assert len(report.weekly_posts) == 4
    assert sum(report.weekly_posts) == 4
    assert sum(report.weekly_comments) == 2
    assert report.weekly_posts[-1] + report.weekly_posts[-2] >= 3  # this week (or just before)
    assert max(report.weekly_active) >= 5  # six people did something in the last days
    older = report.weekly_posts[:-2]
    assert sum(older) >= 1  # the post from two weeks ago lands in an earlier week


def test_a_space_under_five_people_shows_too_few(session):
    host = make_user(session)
    members = _people(session, 3)
    space = make_space(session, host=host, members=tuple(members))
    for m in members:
        make_post(session, author=m, space=space)

    report = report_for(session, space)

    assert not report.shown
    assert report.people is None
    assert report.weekly_posts == [] and report.weekly_active == []
    assert report.first_reply is None and report.prompts is None and report.newcomers is None
    assert report.unanswered_count is None


def test_the_member_host_split_needs_five_on_each_side(session):
    host = make_user(session)
    members = _people(session, 6)
    space = make_space(session, host=host, members=tuple(members))
    for _ in range(4):
        make_post(session, author=host, space=space)
    make_post(session, author=members[0], space=space)

    report = report_for(session, space)

    assert report.shown
    assert not report.split_shown
    assert report.member_share_posts is None and report.member_share_comments is None
    assert report.member_share_threads is None
    assert not report.hosts_do_most_talking  # one host: saying so would be about a person


def test_with_five_leaders_the_split_shows_and_hints_when_they_do_most_talking(session):
    host = make_user(session)
    leaders = _people(session, 4)
    members = _people(session, 5)
    _make_leaders(session, leaders)
    space = make_space(session, host=host, members=(*leaders, *members))
    lead_posts = [make_post(session, author=p, space=space) for p in (host, *leaders)]
    member_post = make_post(session, author=members[0], space=space)
    make_comment(session, author=members[1], post=lead_posts[0])
    make_comment(session, author=leaders[0], post=member_post)
    make_comment(session, author=leaders[1], post=member_post)

    report = report_for(session, space)

    assert report.split_shown
    assert report.member_share_posts == pytest.approx(1 / 6)
    assert report.member_share_comments == pytest.approx(1 / 3)
    assert report.member_share_threads == pytest.approx(1 / 2)  # two posts got replies
    assert report.hosts_do_most_talking


def test_nobody_can_be_singled_out_through_the_filters(session):
    # Six people: one host and five members. The host's own activity must not be derivable.
    host = make_user(session)
    members = _people(session, 5)
    space = make_space(session, host=host, members=tuple(members))
    for _ in range(7):
        make_post(session, author=host, space=space)
    for m in members:
        make_post(session, author=m, space=space)

    everyone = report_for(session, space, who="all")
    assert everyone.shown and sum(everyone.weekly_posts) == 12

    # Attack: all minus members would be the host's posts; every filtered view refuses.
    for weeks in WEEK_CHOICES:
        for who in ("members", "hosts"):
            view = report_for(session, space, weeks=weeks, who=who)
            assert not view.shown, (weeks, who)
            assert view.weekly_posts == [] and view.people is None
        assert report_for(session, space, weeks=weeks).member_share_posts is None
    with pytest.raises(Invalid):
        report_for(session, space, weeks=1)
    with pytest.raises(Invalid):
        report_for(session, space, who=f"user:{host.id}")


def test_filters_work_when_both_groups_are_large_enough(session):
    host = make_user(session)
    leaders = _people(session, 4)
    members = _people(session, 5)
    _make_leaders(session, leaders)
    space = make_space(session, host=host, members=(*leaders, *members))
    for p in (host, *leaders, members[0]):
        make_post(session, author=p, space=space)

    assert sum(report_for(session, space, who="hosts").weekly_posts) == 5
    assert sum(report_for(session, space, who="members").weekly_posts) == 1


def test_the_site_view_leaves_out_small_spaces_so_they_cannot_be_subtracted(session):
    admin = make_user(session, admin=True)
    big_members = _people(session, 5)
    big = make_space(session, host=admin, members=tuple(big_members))
    loner = make_user(session)
    small = make_space(session, host=loner)  # a space of one: its activity is one person's
    make_post(session, author=big_members[0], space=big)
    for _ in range(3):
        make_post(session, author=loner, space=small)

    site = health_report(session, space_ids=eligible_space_ids(admin))
    big_only = report_for(session, big)

    assert sum(site.weekly_posts) == sum(big_only.weekly_posts) == 1
    assert site.people == 6


def test_the_site_view_counts_only_spaces_the_admin_can_read(session):
    admin = make_user(session, admin=True)
    host = make_user(session)
    members = _people(session, 6)
    private = make_space(session, host=host, visibility="private", members=tuple(members))
    for m in members:
        make_post(session, author=m, space=private)

    site = health_report(session, space_ids=eligible_space_ids(admin))

    assert not site.shown
    assert site.unanswered == []


def test_time_to_first_peer_reply_ignores_the_author_and_hosts(session):
    host = make_user(session)
    members = _people(session, 5)
    space = make_space(session, host=host, members=tuple(members))
    quick = make_post(session, author=members[0], space=space)
    slow = make_post(session, author=members[1], space=space)
    host_only = make_post(session, author=members[2], space=space)
    _backdate(session, Post, [quick.id, slow.id, host_only.id], timedelta(days=3), "published_at")
    make_comment(session, author=members[0], post=quick)  # the author's own reply is no answer
    fast = make_comment(session, author=members[3], post=quick)
    _backdate(session, Comment, [fast.id], timedelta(days=3) - timedelta(minutes=20), "created_at")
    make_comment(session, author=members[4], post=slow)  # about three days later
    make_comment(session, author=host, post=host_only)  # a host is not a peer

    report = report_for(session, space)

    assert report.first_reply is not None
    assert report.first_reply["1h"] == 1
    assert report.first_reply["later"] == 1
    assert report.first_reply["none"] == 1


def test_prompt_response_rate(session):
    host = make_user(session)
    members = _people(session, 5)
    space = make_space(session, host=host, members=tuple(members))
    answered = make_post(session, author=host, space=space, kind="prompt")
    make_post(session, author=host, space=space, kind="prompt")
    make_comment(session, author=members[0], post=answered)

    report = report_for(session, space)

    assert report.prompts == (2, 1)
    assert report.prompt_rate == 0.5


def test_newcomers_who_wrote_in_their_first_two_weeks(session):
    host = make_user(session)
    regulars = _people(session, 2)
    newcomers = _people(session, 5)
    space = make_space(session, host=host, members=(*regulars, *newcomers))
    joined = utcnow() - timedelta(days=20)
    session.exec(
        update(Membership)
        .where(col(Membership.user_id).in_([n.id for n in newcomers]))
        .values(joined_at=joined)
    )
    session.exec(
        update(Membership)
        .where(col(Membership.user_id).in_([r.id for r in (host, *regulars)]))
        .values(joined_at=utcnow() - timedelta(days=400))
    )
    session.commit()
    early = [make_post(session, author=n, space=space) for n in newcomers[:2]]
    _backdate(session, Post, [p.id for p in early], timedelta(days=15), "published_at")
    late = make_post(session, author=newcomers[2], space=space)  # day 20: too late to count
    assert late.id

    report = report_for(session, space, weeks=12)

    assert report.newcomers == (5, 2)
    assert report.newcomer_rate == pytest.approx(0.4)


def test_fewer_than_five_newcomers_are_too_few(session):
    host = make_user(session)
    members = _people(session, 6)
    space = make_space(session, host=host, members=tuple(members))
    session.exec(
        update(Membership)
        .where(col(Membership.user_id).in_([m.id for m in members[:4]]))
        .values(joined_at=utcnow() - timedelta(days=20))
    )
    session.commit()
    assert report_for(session, space).newcomers is None


def test_unanswered_posts_are_listed_oldest_first(session):
    host = make_user(session)
    members = _people(session, 5)
    space = make_space(session, host=host, members=tuple(members))
    waiting = make_post(session, author=members[0], space=space, title="Anyone?")
    answered = make_post(session, author=members[1], space=space, title="Answered")
    fresh = make_post(session, author=members[2], space=space, title="Just now")
    make_comment(session, author=members[3], post=answered)
    _backdate(session, Post, [waiting.id, answered.id], timedelta(days=2), "published_at")

    report = report_for(session, space)

    assert [p.title for p, _s in report.unanswered] == ["Anyone?"]
    assert report.unanswered_count == 1
    assert fresh.id not in [p.id for p, _s in report.unanswered]


def test_the_report_runs_a_constant_number_of_queries(session, count_queries):
    host = make_user(session)
    members = _people(session, 6)
    space = make_space(session, host=host, members=tuple(members))
    make_post(session, author=members[0], space=space)
    with count_queries() as few:
        report_for(session, space)
    for m in members:
        for _ in range(5):
            post = make_post(
                session, author=m, space=space, kind="prompt" if m == host else "discussion"
            )
            make_comment(session, author=members[0], post=post)
    with count_queries() as many:
        report = report_for(session, space)
    assert report.shown
    assert len(many) == len(few) <= 9


@pytest.mark.parametrize("who", WHO_CHOICES)
def test_every_filter_runs_on_this_database(session, who):
    host = make_user(session)
    space = make_space(session, host=host, members=tuple(_people(session, 6)))
    assert report_for(session, space, who=who).weeks
