"""A post's history: readers see that and when it changed; author and hosts see what it said."""

from sqlmodel import select

from app.posts import history as history_module
from app.posts.models import PostRevision
from app.posts.service import delete_post, update_post
from tests.factories import make_post, make_space, make_user


def _world(session, visibility="private"):  # type: ignore[no-untyped-def]
    host, author, reader, outsider = (make_user(session) for _ in range(4))
    space = make_space(
        session, host=host, visibility=visibility, join_policy="request", members=(author, reader)
    )
    post = make_post(session, author=author, space=space, title="Plan v1", body="First **draft**")
    return host, author, reader, outsider, post


def _edit(session, author, post, title, body):  # type: ignore[no-untyped-def]
    update_post(session, user=author, post_id=post.id, title=title, body=body)
    session.commit()


def test_each_edit_keeps_the_version_it_replaces(session):
    _host, author, _reader, _outsider, post = _world(session)
    _edit(session, author, post, "Plan v2", "Second draft")
    _edit(session, author, post, "Plan v2", "Second draft")  # nothing changed: nothing kept
    _edit(session, author, post, "Plan v3", "Third draft")
    kept = session.exec(select(PostRevision).order_by(PostRevision.id)).all()
    assert [(v.title, v.body) for v in kept] == [
        ("Plan v1", "First **draft**"),
        ("Plan v2", "Second draft"),
    ]
    assert kept[0].written_at == post.published_at
    assert kept[1].written_at <= kept[1].replaced_at


def test_readers_see_when_it_changed_but_not_the_earlier_text(session, login):
    _host, author, reader, _outsider, post = _world(session)
    _edit(session, author, post, "Plan v2", "Second draft")
    page = login(reader).get(f"/posts/{post.id}")
    assert f'href="/posts/{post.id}/history"' in page.text
    shown = login(reader).get(f"/posts/{post.id}/history")
    assert shown.status_code == 200
    assert "Shown from" in shown.text
    assert "First" not in shown.text and "Plan v1" not in shown.text
    assert "Only its author and the space" in shown.text


def test_author_and_hosts_see_earlier_versions(session, login):
    host, author, _reader, _outsider, post = _world(session)
    _edit(session, author, post, "Plan v2", "Second draft")
    for person in (author, host):
        shown = login(person).get(f"/posts/{post.id}/history").text
        assert "Plan v1" in shown and "<strong>draft</strong>" in shown


def test_outsiders_of_a_private_space_get_404(session, login):
    _host, author, _reader, outsider, post = _world(session)
    _edit(session, author, post, "Plan v2", "Second draft")
    response = login(outsider).get(f"/posts/{post.id}/history")
    assert response.status_code == 404
    assert "Plan" not in response.text


def test_deleting_a_post_deletes_its_earlier_versions(session, login):
    _host, author, _reader, _outsider, post = _world(session)
    _edit(session, author, post, "Plan v2", "Second draft")
    delete_post(session, user=author, post_id=post.id)
    session.commit()
    assert session.exec(select(PostRevision)).all() == []
    assert login(author).get(f"/posts/{post.id}/history").status_code == 404


def test_a_scheduled_post_changed_before_publishing_keeps_no_versions(session, login):
    from datetime import timedelta

    from app.core.db import utcnow

    _host, author, _reader, _outsider, post = _world(session)
    post.published_at, post.announced_at = utcnow() + timedelta(days=1), None
    session.add(post)
    session.commit()
    _edit(session, author, post, "Plan v2", "Nobody read v1")
    assert session.exec(select(PostRevision)).all() == []


def test_bad_cursor_is_a_422_and_the_list_is_keyset_paginated(session, login, monkeypatch):
    _host, author, _reader, _outsider, post = _world(session)
    monkeypatch.setattr(history_module, "PAGE_SIZE", 2)
    for n in range(2, 6):
        _edit(session, author, post, f"Plan v{n}", f"Draft {n}")
    client = login(author)
    assert client.get(f"/posts/{post.id}/history?before=x").status_code == 422
    first = client.get(f"/posts/{post.id}/history").text
    assert "Plan v4" in first and "Plan v3" in first and "Plan v2" not in first
    newest_shown = session.exec(select(PostRevision).order_by(PostRevision.id)).all()[2].id
    assert f"?before={newest_shown}" in first
    second = client.get(f"/posts/{post.id}/history?before={newest_shown}").text
    assert "Plan v2" in second and "Plan v1" in second and "Plan v3" not in second


def test_history_page_queries_stay_constant(session, login, count_queries):
    _host, author, _reader, _outsider, post = _world(session)
    _edit(session, author, post, "Plan v2", "Draft 2")
    client = login(author)
    with count_queries() as few:
        client.get(f"/posts/{post.id}/history")
    for n in range(3, 12):
        _edit(session, author, post, f"Plan v{n}", f"Draft {n}")
    with count_queries() as many:
        client.get(f"/posts/{post.id}/history")
    assert len(few) == len(many) <= 4
