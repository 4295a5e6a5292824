"""The grant job is idempotent: twice in a row, in two sessions racing, in two processes."""

import os
import subprocess
import sys
import threading
import time

from sqlalchemy import func
from sqlmodel import Session, select

from app.core.db import get_engine
from app.recognition.jobs import grant_badges
from app.recognition.models import Award
from tests.factories import make_comment, make_post, make_space, make_user
from tests.recognition.helpers import forget_awards


def _community(session, people=12):
    host = make_user(session)
    members = [make_user(session) for _ in range(people)]
    space = make_space(session, host=host, members=tuple(members))
    post = make_post(session, author=host, space=space)
    for person in members:
        make_post(session, author=person, space=space)
        make_comment(session, author=person, post=post)
    forget_awards(session)


def _counts(session):
    awards = session.exec(select(func.count()).select_from(Award)).one()
    keys = session.exec(
        select(func.count()).select_from(
            select(Award.user_id, Award.badge_id, Award.space_id).distinct().subquery()
        )
    ).one()
    return awards, keys


def test_running_the_job_twice_grants_once(session):
    _community(session)

    first = grant_badges(session)
    session.commit()
    again = grant_badges(session)
    session.commit()

    awards, keys = _counts(session)
    assert first > 0
    assert again == 0
    assert awards == keys == first


def test_two_sessions_racing_grant_each_award_once(session):
    """The second transaction computes the same grants before the first commits; its inserts
    wait on the first, then skip what exists: no error, no duplicate, nothing counted twice."""
    _community(session)
    engine = get_engine()
    results: dict[str, int] = {}
    errors: list[BaseException] = []

    with Session(engine) as first:
        results["first"] = grant_badges(first)  # written, not yet committed

        def second_process() -> None:
            try:
                with Session(engine) as second:
                    results["second"] = grant_badges(second)
                    second.commit()
            except BaseException as exc:  # surfaced in the main thread below
                errors.append(exc)

        racer = threading.Thread(target=second_process)
        racer.start()
        time.sleep(1.0)
        # It read the same state, found the same awards due, and now waits on our rows.
        assert racer.is_alive()
        first.commit()
        racer.join(timeout=30)

    assert not errors
    awards, keys = _counts(session)
    assert results["first"] > 0
    assert results["second"] == 0
    assert awards == keys == results["first"]


SCRIPT = """
import sys, time
from app.recognition.jobs import run_grant_badges
start = float(sys.argv[1])
while time.time() < start:
    time.sleep(0.001)
print(sum(run_grant_badges() for _ in range(3)))
"""


def test_two_processes_at_once_grant_each_award_once(session):
    _community(session, people=20)
    start = time.time() + 2.0
    env = dict(os.environ)
    workers = [
        subprocess.Popen(
            [sys.executable, "-c", SCRIPT, str(start)],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    outputs = [w.communicate(timeout=120) for w in workers]

    assert [w.returncode for w in workers] == [0, 0], [err for _out, err in outputs]
    added = sum(int(out.strip()) for out, _err in outputs)
    awards, keys = _counts(session)
    assert awards == keys == added
    assert awards >= 20
