"""The jobs registry, `agora jobs run-once`, `agora worker`, and the loop `agora serve` runs."""

import threading
import time
from datetime import timedelta

from fastapi.testclient import TestClient
from sqlalchemy import update
from sqlmodel import col, select
from typer.testing import CliRunner

from app import jobs
from app.announcements.models import SitePin
from app.cli import cli
from app.core.config import get_settings
from app.core.db import utcnow
from app.people.models import AuditEntry
from app.posts.models import Post
from app.posts.service import create_post
from app.spaces.access import access_for
from tests.factories import make_post, make_space, make_user

runner = CliRunner()


def _due_post(session):
    author = make_user(session)
    space = make_space(session, host=author)
    post = create_post(
        session,
        access=access_for(session, author, space),
        title="Due",
        body="text",
        publish_at=utcnow() + timedelta(minutes=5),
    )
    session.commit()
    session.exec(
        update(Post).where(col(Post.id) == post.id).values(published_at=utcnow() - timedelta(1))
    )
    session.commit()
    return post


def test_the_registry_is_a_list_other_domains_append_to():
    assert isinstance(jobs.JOBS, list)
    assert {job.name for job in jobs.JOBS} >= {
        "publish_scheduled_posts",
        "remove_expired_site_pins",
    }


def test_run_once_reports_each_job(session):
    post = _due_post(session)
    result = runner.invoke(cli, ["jobs", "run-once"])
    assert result.exit_code == 0, result.output
    assert "publish_scheduled_posts: 1" in result.output
    assert "remove_expired_site_pins: 0" in result.output
    session.refresh(post)
    assert post.announced_at is not None
    again = runner.invoke(cli, ["jobs", "run-once", "--job", "publish_scheduled_posts"])
    assert "publish_scheduled_posts: 0" in again.output


def test_run_once_refuses_unknown_jobs():
    result = runner.invoke(cli, ["jobs", "run-once", "--job", "make-coffee"])
    assert result.exit_code == 2
    assert "Unknown job: make-coffee" in result.output


def test_a_failing_job_neither_stops_nor_rolls_back_the_others(session, monkeypatch):
    post = _due_post(session)

    def broken(_session):
        raise RuntimeError("boom")

    monkeypatch.setattr(jobs, "JOBS", [jobs.Job("broken", broken), *jobs.JOBS])
    result = runner.invoke(cli, ["jobs", "run-once"])
    assert result.exit_code == 1
    assert "broken: failed" in result.output
    assert "publish_scheduled_posts: 1" in result.output
    session.refresh(post)
    assert post.announced_at is not None


def test_expired_home_pins_are_removed_and_audited(session):
    admin = make_user(session, admin=True)
    space = make_space(session, host=admin)
    post = make_post(session, author=admin, space=space, kind="announcement")
    session.add(SitePin(post_id=post.id, expires_at=utcnow() - timedelta(minutes=1)))
    session.add(SitePin(post_id=make_post(session, author=admin, space=space).id))
    session.commit()
    assert jobs.run_jobs_once(["remove_expired_site_pins"]) == {"remove_expired_site_pins": 1}
    assert len(session.exec(select(SitePin)).all()) == 1
    assert session.exec(select(AuditEntry).where(AuditEntry.action == "site_pin.expire")).one()


def test_the_worker_loop_runs_until_stopped(session):
    post = _due_post(session)
    stop = threading.Event()
    worker = threading.Thread(target=jobs.run_forever, args=(stop, 0.05))
    worker.start()
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        session.expire_all()
        if session.get(Post, post.id).announced_at is not None:
            break
        time.sleep(0.05)
    stop.set()
    worker.join(timeout=10)
    assert not worker.is_alive()
    assert session.get(Post, post.id).announced_at is not None


def test_the_worker_command_runs_the_loop(monkeypatch):
    calls = []
    monkeypatch.setattr(jobs, "run_forever", lambda stop, interval: calls.append(interval))
    result = runner.invoke(cli, ["worker", "--interval", "3"])
    assert result.exit_code == 0, result.output
    assert calls == [3.0]
    assert "worker stopped" in result.output


def test_the_server_runs_the_jobs_itself(session, monkeypatch):
    from app.main import create_app

    monkeypatch.setattr(get_settings(), "run_jobs", True)
    monkeypatch.setattr(get_settings(), "jobs_interval_seconds", 0.1)
    post = _due_post(session)
    with TestClient(create_app()):
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            session.expire_all()
            if session.get(Post, post.id).announced_at is not None:
                break
            time.sleep(0.1)
    assert session.get(Post, post.id).announced_at is not None


def test_the_test_suite_runs_no_background_jobs_by_default():
    assert get_settings().jobs_enabled is False
