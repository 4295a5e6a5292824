"""Domain events: every subscriber module is registered, in order, before any fact is published."""

import ast
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlmodel import Session, select

from app.core import domain_events
from app.core.domain_events import (
    SUBSCRIBER_MODULES,
    DomainEvent,
    PostCreated,
    publish,
    subscriber,
    subscribers_of,
)
from app.notifications.models import Notification
from app.posts.models import Post
from app.posts.service import create_post
from app.spaces.access import access_for
from tests.factories import make_space, make_user

APP = Path(__file__).resolve().parent.parent / "app"


def _modules_defining_subscribers() -> set[str]:
    found = set()
    for path in APP.rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                for decorator in node.decorator_list:
                    call = decorator.func if isinstance(decorator, ast.Call) else decorator
                    name = call.attr if isinstance(call, ast.Attribute) else getattr(call, "id", "")
                    if name == "subscriber":
                        module = path.relative_to(APP.parent).with_suffix("")
                        found.add(".".join(module.parts))
    return found


def test_the_registry_lists_every_module_that_defines_subscribers():
    assert set(SUBSCRIBER_MODULES) == _modules_defining_subscribers()
    assert len(SUBSCRIBER_MODULES) == len(set(SUBSCRIBER_MODULES))


def test_a_fresh_process_has_every_subscriber_at_its_first_publish():
    # Nothing imported but the events module, as in a job or a script calling a service:
    # the first publish (here: asking for the subscribers) loads them all.
    code = (
        "import sys\n"
        "from app.core.domain_events import PostCreated, subscribers_of\n"
        "assert 'app.notifications.subscribers' not in sys.modules\n"
        "names = [f.__module__ + '.' + f.__name__ for f in subscribers_of(PostCreated)]\n"
        "print(','.join(names))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=APP.parent
    ).stdout.strip()
    assert out.split(",") == [
        "app.notifications.subscribers.post_created",
        "app.recognition.subscribers.after_post",
        "app.search.subscribers.post_created",
        "app.live.subscribers.wake_followers",
        "app.uploads.subscribers.post_created",
    ]


@dataclass(frozen=True)
class _Happened(DomainEvent):
    what: str


_calls: list[str] = []


@subscriber(_Happened)
def _first(session: Session, fact: _Happened) -> None:
    _calls.append(f"first {fact.what}")


@subscriber(_Happened)
def _second(session: Session, fact: _Happened) -> None:
    _calls.append(f"second {fact.what}")
    if fact.what == "bad":
        raise RuntimeError("the subscriber failed")


def test_subscribers_run_in_registration_order_with_the_publishers_session(session):
    _calls.clear()
    publish(session, _Happened("good"))
    assert _calls == ["first good", "second good"]


def test_a_failing_subscriber_fails_the_publisher(session):
    _calls.clear()
    with pytest.raises(RuntimeError, match="the subscriber failed"):
        publish(session, _Happened("bad"))
    assert _calls == ["first bad", "second bad"]


def test_a_failing_subscriber_fails_the_whole_write(session, monkeypatch):
    author = make_user(session)
    space = make_space(session, host=author)
    reader = make_user(session)

    def boom(_session: Session, _fact: PostCreated) -> None:
        raise RuntimeError("the index is down")

    subscribers = [*subscribers_of(PostCreated), boom]
    monkeypatch.setitem(domain_events._subscribers, PostCreated, subscribers)
    with pytest.raises(RuntimeError, match="the index is down"):
        create_post(
            session,
            access=access_for(session, author, space),
            title="Hi",
            body=f"Hi @{reader.handle}",
        )
    session.rollback()
    assert session.exec(select(Post)).all() == []
    assert session.exec(select(Notification).where(Notification.user_id == reader.id)).all() == []
