"""Scheduled posts: time zones, who sees them, and the publishing job (once, even in parallel)."""

import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import update
from sqlmodel import col, func, select

from app.core.config import PROJECT_ROOT
from app.core.db import utcnow
from app.core.errors import Invalid, NotFound
from app.notifications.models import Notification
from app.posts.models import Post
from app.posts.service import create_post, load_post, update_post
from app.posts.streams import home_stream, space_stream
from app.prompts.jobs import publish_scheduled_posts
from app.prompts.scheduling import (
    parse_publish_at,
    resolve_publish_at,
    scheduled_posts,
)
from app.spaces.access import access_for
from tests.factories import make_space, make_user


def _schedule(session, *, author, space, minutes=60, body="Scheduled text", title="Later"):
    post = create_post(
        session,
        access=access_for(session, author, space),
        title=title,
        body=body,
        publish_at=utcnow() + timedelta(minutes=minutes),
    )
    session.commit()
    return post


def _make_due(session, *post_ids, ago=timedelta(seconds=1)):
    """Move the publish time into the past, as if the clock had run on."""
    session.exec(update(Post).where(col(Post.id).in_(post_ids)).values(published_at=utcnow() - ago))
    session.commit()


def _notifications(session, kind):
    return session.exec(
        select(func.count()).select_from(Notification).where(Notification.kind == kind)
    ).one()


# --- publish times and time zones -------------------------------------------------------------


def test_a_wall_time_is_read_in_the_authors_zone():
    now = datetime(2031, 3, 10, 12, 0, tzinfo=UTC)
    berlin = resolve_publish_at(datetime(2031, 3, 11, 9, 30), zone="Europe/Berlin", now=now)
    new_york = resolve_publish_at(datetime(2031, 3, 11, 9, 30), zone="America/New_York", now=now)
    assert berlin == datetime(2031, 3, 11, 8, 30, tzinfo=UTC)  # CET, UTC+1
    assert new_york == datetime(2031, 3, 11, 13, 30, tzinfo=UTC)  # EDT since 9 March, UTC-4


def test_an_aware_time_keeps_its_instant_whatever_the_zone():
    now = datetime(2031, 6, 1, tzinfo=UTC)
    value = datetime(2031, 6, 2, 10, 0, tzinfo=ZoneInfo("Asia/Tokyo"))
    assert resolve_publish_at(value, zone="Europe/Berlin", now=now) == datetime(
        2031, 6, 2, 1, 0, tzinfo=UTC
    )


def test_a_time_skipped_by_the_clock_change_is_refused():
    now = datetime(2031, 3, 1, tzinfo=UTC)
    # Berlin moves from 02:00 to 03:00 on 30 March 2031: 02:30 never happens.
    with pytest.raises(Invalid) as raised:
        resolve_publish_at(datetime(2031, 3, 30, 2, 30), zone="Europe/Berlin", now=now)
    assert raised.value.field == "publish_at"
    assert "clocks change" in raised.value.message


def test_the_repeated_autumn_hour_means_its_first_occurrence():
    now = datetime(2031, 10, 1, tzinfo=UTC)
    # 02:30 happens twice on 26 October 2031 in Berlin; the first time is still summer time.
    value = resolve_publish_at(datetime(2031, 10, 26, 2, 30), zone="Europe/Berlin", now=now)
    assert value == datetime(2031, 10, 26, 0, 30, tzinfo=UTC)


def test_past_and_far_future_times_are_refused_but_just_now_publishes_now():
    now = datetime(2031, 1, 1, 12, 0, tzinfo=UTC)
    with pytest.raises(Invalid, match="future"):
        resolve_publish_at(now - timedelta(hours=1), zone="UTC", now=now)
    with pytest.raises(Invalid, match="next year"):
        resolve_publish_at(now + timedelta(days=400), zone="UTC", now=now)
    assert resolve_publish_at(now - timedelta(seconds=30), zone="UTC", now=now) == now


def test_parse_publish_at_reads_form_and_api_text():
    assert parse_publish_at("") is None
    assert parse_publish_at("2031-05-17T09:30") == datetime(2031, 5, 17, 9, 30)
    assert parse_publish_at("2031-05-17T09:30:00Z") == datetime(2031, 5, 17, 9, 30, tzinfo=UTC)
    with pytest.raises(Invalid):
        parse_publish_at("next tuesday")


def test_a_scheduled_post_is_stored_at_the_utc_instant_of_the_authors_wall_time(session):
    author = make_user(session)
    author.time_zone = "America/New_York"
    session.add(author)
    session.commit()
    space = make_space(session, host=author)
    tomorrow = (utcnow().astimezone(ZoneInfo("America/New_York")) + timedelta(days=1)).replace(
        hour=9, minute=0, second=0, microsecond=0, tzinfo=None
    )
    post = create_post(
        session,
        access=access_for(session, author, space),
        title="t",
        body="b",
        publish_at=tomorrow,
    )
    expected = tomorrow.replace(tzinfo=ZoneInfo("America/New_York")).astimezone(UTC)
    assert post.published_at == expected
    assert post.announced_at is None


# --- who sees a scheduled post ------------------------------------------------------------------


def test_a_scheduled_post_stays_out_of_streams_and_shows_only_to_author_and_hosts(session):
    host, author, reader = make_user(session), make_user(session), make_user(session)
    space = make_space(session, host=host, members=(author, reader))
    post = _schedule(session, author=author, space=space)

    for person in (host, author, reader):
        assert post.id not in [c.post.id for c in home_stream(session, user=person).items]
        access = access_for(session, person, space)
        assert post.id not in [c.post.id for c in space_stream(session, access=access).items]
    load_post(session, user=author, post_id=post.id)
    load_post(session, user=host, post_id=post.id)
    with pytest.raises(NotFound):
        load_post(session, user=reader, post_id=post.id)

    assert [p.id for p in scheduled_posts(session, access=access_for(session, host, space))] == [
        post.id
    ]
    assert [p.id for p in scheduled_posts(session, access=access_for(session, author, space))] == [
        post.id
    ]
    assert scheduled_posts(session, access=access_for(session, reader, space)) == []


def test_a_scheduled_post_appears_on_time_even_before_the_job_runs(session):
    host, reader = make_user(session), make_user(session)
    space = make_space(session, host=host, members=(reader,))
    post = _schedule(session, author=host, space=space)
    _make_due(session, post.id)

    assert [c.post.id for c in home_stream(session, user=reader).items] == [post.id]


def test_editing_the_time_works_until_the_post_is_published(session):
    author = make_user(session)
    space = make_space(session, host=author)
    post = _schedule(session, author=author, space=space, minutes=60)
    later = utcnow() + timedelta(hours=5)

    update_post(session, user=author, post_id=post.id, title="New title", publish_at=later)
    session.commit()
    assert post.published_at == later.replace(microsecond=later.microsecond)
    assert post.edited_at is None  # nobody has read it yet, so it is not "edited"

    _make_due(session, post.id)
    publish_scheduled_posts(session)
    session.commit()
    with pytest.raises(Invalid, match="already published"):
        update_post(session, user=author, post_id=post.id, publish_at=utcnow() + timedelta(hours=1))


# --- the publishing job -------------------------------------------------------------------------


def test_mentions_in_a_scheduled_post_are_notified_when_it_is_published_and_only_once(session):
    author, anna = make_user(session), make_user(session)
    space = make_space(session, host=author, members=(anna,))
    post = _schedule(session, author=author, space=space, body=f"Hello @{anna.handle}")
    assert _notifications(session, "mention") == 0  # not before it is out

    assert publish_scheduled_posts(session) == 0  # not due yet
    _make_due(session, post.id)
    assert publish_scheduled_posts(session) == 1
    session.commit()
    assert publish_scheduled_posts(session) == 0
    session.commit()

    assert _notifications(session, "mention") == 1
    assert _notifications(session, "scheduled_published") == 1


def test_the_job_catches_up_on_everything_missed_while_down(session):
    author = make_user(session)
    space = make_space(session, host=author)
    posts = [_schedule(session, author=author, space=space, minutes=10 + i) for i in range(5)]
    future = _schedule(session, author=author, space=space, minutes=600)
    _make_due(session, *[p.id for p in posts], ago=timedelta(days=3))

    assert publish_scheduled_posts(session) == 5
    session.commit()
    announced = session.exec(select(Post).where(col(Post.announced_at).is_not(None))).all()
    assert {p.id for p in announced} == {p.id for p in posts}
    assert future.id not in {p.id for p in announced}


def test_posts_written_without_a_schedule_are_never_announced_again(session):
    author, anna = make_user(session), make_user(session)
    space = make_space(session, host=author, members=(anna,))
    create_post(
        session, access=access_for(session, author, space), title="now", body=f"@{anna.handle}"
    )
    session.commit()

    assert publish_scheduled_posts(session) == 0
    assert _notifications(session, "mention") == 1


_JOB_PROCESS = """
import sys
from app.jobs import run_jobs_once
print("ready", flush=True)
sys.stdin.readline()
print(run_jobs_once(["publish_scheduled_posts"])["publish_scheduled_posts"], flush=True)
"""


def _start_job_process() -> subprocess.Popen:
    process = subprocess.Popen(
        [sys.executable, "-c", _JOB_PROCESS],
        cwd=PROJECT_ROOT,
        env={**os.environ},
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None
    assert process.stdout.readline().strip() == "ready"  # imports done: the race starts together
    return process


def test_two_processes_running_the_job_at_once_publish_each_post_once(session):
    author = make_user(session)
    space = make_space(session, host=author)
    ids = [
        _schedule(session, author=author, space=space, minutes=30, title=f"p{i}").id
        for i in range(250)  # more than one batch, so both processes keep claiming for a while
    ]
    _make_due(session, *ids)

    processes = [_start_job_process(), _start_job_process()]
    for process in processes:  # both get the word before either is waited for
        assert process.stdin is not None
        process.stdin.write("go\n")
        process.stdin.flush()
    outputs = [p.communicate(timeout=120) for p in processes]

    assert [p.returncode for p in processes] == [0, 0], outputs
    claimed = [int(out.strip()) for out, _err in outputs]
    assert sum(claimed) == 250, outputs
    assert _notifications(session, "scheduled_published") == 250
    assert _notifications(session, "mention") == 0
