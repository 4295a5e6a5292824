"""Early adopters: who counts, in which order, within which window, and what happens later."""

from datetime import timedelta

from app.core.db import utcnow
from app.posts.service import delete_post
from app.recognition.jobs import grant_badges
from app.recognition.service import after_contribution, site_settings, take_contribution_turn
from app.spaces.access import access_for
from app.spaces.service import leave_space
from tests.factories import make_comment, make_post, make_space, make_user
from tests.recognition.helpers import (
    configure,
    forget_awards,
    holders,
    set_comment_time,
    set_post_time,
    set_space_created,
)

EA = "early-adopter"


def _people(session, n):
    return [make_user(session) for _ in range(n)]


def test_the_first_n_contributors_get_it_at_once_in_order_of_first_contribution(session):
    configure(session, early_adopter_count=2)
    host = make_user(session)
    a, b, c = _people(session, 3)
    space = make_space(session, host=host, members=(a, b, c))

    make_post(session, author=b, space=space)
    other = make_post(session, author=a, space=space)
    make_comment(session, author=c, post=other)

    assert holders(session, EA, space.id) == sorted([a.id, b.id])
    assert holders(session, EA) == sorted([a.id, b.id])  # the site's first two as well


def test_comments_count_as_contributions(session):
    configure(session, early_adopter_count=2)
    host, commenter, poster = _people(session, 3)
    space = make_space(session, host=host, members=(commenter, poster))
    post = make_post(session, author=host, space=space)
    make_comment(session, author=commenter, post=post)
    make_post(session, author=poster, space=space)

    assert holders(session, EA, space.id) == sorted([host.id, commenter.id])


def test_equal_times_are_ordered_by_the_persons_id(session):
    configure(session, early_adopter_count=1)
    host = make_user(session)
    first_account, second_account = _people(session, 2)
    space = make_space(session, host=host, members=(first_account, second_account))
    later_post = make_post(session, author=second_account, space=space)
    earlier_post = make_post(session, author=first_account, space=space)
    forget_awards(session)
    same = utcnow() - timedelta(minutes=5)
    set_post_time(session, later_post, same)
    set_post_time(session, earlier_post, same)

    grant_badges(session)
    session.commit()

    assert holders(session, EA, space.id) == [first_account.id]


def test_deleted_and_hidden_content_does_not_count(session):
    configure(session, early_adopter_count=1)
    host = make_user(session)
    deleter, hidden, third = _people(session, 3)
    space = make_space(session, host=host, members=(deleter, hidden, third))
    gone = make_post(session, author=deleter, space=space)
    moderated = make_post(session, author=hidden, space=space)
    make_post(session, author=third, space=space)
    delete_post(session, user=deleter, post_id=gone.id)
    moderated.hidden_at = utcnow()
    session.add(moderated)
    session.commit()
    forget_awards(session)

    grant_badges(session)
    session.commit()

    assert holders(session, EA, space.id) == [third.id]


def test_a_badge_once_given_stays_when_the_content_is_deleted_later(session):
    """Decision: awards are not taken back; the next person in line is recognised as well."""
    configure(session, early_adopter_count=1)
    host, first, second = make_user(session), make_user(session), make_user(session)
    space = make_space(session, host=host, members=(first, second))
    post = make_post(session, author=first, space=space)
    make_post(session, author=second, space=space)
    assert holders(session, EA, space.id) == [first.id]

    delete_post(session, user=first, post_id=post.id)
    session.commit()
    grant_badges(session)
    session.commit()

    assert holders(session, EA, space.id) == sorted([first.id, second.id])


def test_people_who_left_the_space_keep_their_place_and_their_badge(session):
    """Decision: the badge is about what they did then, so leaving changes nothing."""
    configure(session, early_adopter_count=1)
    host, leaver, stayer = make_user(session), make_user(session), make_user(session)
    space = make_space(session, host=host, members=(leaver, stayer))
    make_post(session, author=leaver, space=space)
    make_post(session, author=stayer, space=space)
    leave_space(session, access=access_for(session, leaver, space))
    session.commit()
    assert holders(session, EA, space.id) == [leaver.id]

    forget_awards(session)
    grant_badges(session)
    session.commit()

    assert holders(session, EA, space.id) == [leaver.id]


def test_only_contributions_within_the_spaces_first_90_days_count(session):
    configure(session, early_adopter_count=5)
    host, early, late = make_user(session), make_user(session), make_user(session)
    space = make_space(session, host=host, members=(early, late))
    created = utcnow() - timedelta(days=100)
    set_space_created(session, space, created)
    early_post = make_post(session, author=early, space=space)
    late_comment = make_comment(session, author=late, post=early_post)
    make_post(session, author=host, space=space)  # today: outside the window
    # Posting today, long after the window closed, granted nothing for the space.
    assert holders(session, EA, space.id) == []

    set_post_time(session, early_post, created + timedelta(days=3))
    set_comment_time(session, late_comment, created + timedelta(days=91))
    grant_badges(session)
    session.commit()

    assert holders(session, EA, space.id) == [early.id]


def test_the_number_of_early_adopters_is_a_site_setting(session):
    host = make_user(session)
    people = _people(session, 12)
    space = make_space(session, host=host, members=tuple(people))
    for person in people:
        make_post(session, author=person, space=space)
    assert holders(session, EA, space.id) == sorted(p.id for p in people[:10])  # default 10

    configure(session, early_adopter_count=11)
    grant_badges(session)
    session.commit()

    assert holders(session, EA, space.id) == sorted(p.id for p in people[:11])


def test_the_site_window_starts_with_the_first_account(session):
    first_account, person = make_user(session), make_user(session)
    space = make_space(session, host=first_account, members=(person,))
    first_account.created_at = utcnow() - timedelta(days=200)
    session.add(first_account)
    session.commit()

    make_post(session, author=person, space=space)

    assert holders(session, EA, space.id) == [person.id]  # a new space: its window is open
    assert holders(session, EA) == []  # the site started 200 days ago


def test_the_hook_is_cheap_once_the_window_has_closed(session, count_queries):
    host = make_user(session)
    space = make_space(session, host=host)
    make_post(session, author=host, space=space)
    set_space_created(session, space, utcnow() - timedelta(days=120))
    session.refresh(host)
    session.refresh(space)

    with count_queries() as statements:
        after_contribution(session, user=host, space_id=space.id)

    # Badges, what the person holds, settings, and the two cheap rules not yet earned.
    assert len(statements) <= 5
    assert not any("row_number" in s.lower() for s in statements)


def test_a_contributions_turn_costs_one_read_and_its_locks(session, count_queries):
    host = make_user(session)
    space = make_space(session, host=host)
    make_post(session, author=host, space=space)
    session.commit()

    with count_queries() as statements:
        take_contribution_turn(session, space_id=space.id)
    with count_queries() as later:
        settings = site_settings(session)
    session.rollback()

    if session.get_bind().dialect.name != "postgresql":
        assert statements == []  # SQLite's writers take turns anyway
        return
    # The places still open with the site's settings, and a turn each for the site and the
    # space; the badge rules after the insert find the settings read already.
    assert len(statements) == 3
    assert sum("pg_advisory_xact_lock" in s for s in statements) == 2
    assert later == [] and settings.early_adopter_count > 0
    assert not any("badges.icon" in s for s in statements)  # no badge loaded as an entity
