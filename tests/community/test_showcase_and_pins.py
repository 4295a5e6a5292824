"""Showcase, suggestions and home pins: the rules behind the pages."""

from datetime import timedelta

import pytest
from sqlmodel import select

from app.announcements.service import home_pins, pin_on_home, site_pin_for, unpin_from_home
from app.core.db import utcnow
from app.core.errors import Conflict, Forbidden, Invalid, NotFound
from app.people.models import AuditEntry
from app.posts.service import create_post
from app.prompts.service import create_prompt, suggested_prompts
from app.showcase.models import ShowcaseSuggestion
from app.showcase.service import (
    decline_suggestion,
    entry_for_post,
    feature_post,
    parse_tags,
    showcase_page,
    showcase_tags,
    suggest_post,
    unfeature_post,
)
from app.spaces.access import access_for
from tests.factories import make_post, make_space, make_user


def _audit(session, action):
    return session.exec(select(AuditEntry).where(AuditEntry.action == action)).all()


def test_tags_are_normalised_and_checked():
    assert parse_tags("Remote Work, #onboarding, remote work") == ["remote-work", "onboarding"]
    assert parse_tags(["A", "b"]) == ["a", "b"]
    with pytest.raises(Invalid, match="at least one tag"):
        parse_tags(" , ")
    with pytest.raises(Invalid, match="letters, digits"):
        parse_tags("no/slashes")
    with pytest.raises(Invalid, match="At most"):
        parse_tags([f"t{i}" for i in range(9)])


def test_featuring_is_for_moderators_and_is_audited_and_updatable(session):
    host, author = make_user(session), make_user(session)
    space = make_space(session, host=host, members=(author,))
    post = make_post(session, author=author, space=space)
    with pytest.raises(Forbidden):
        feature_post(session, user=author, post_id=post.id, tags="mine")

    feature_post(session, user=host, post_id=post.id, tags="first")
    feature_post(
        session,
        user=host,
        post_id=post.id,
        tags="second, third",
        origin="external",
        external_url="https://example.com/how-x-blogs",
    )
    session.commit()

    entry, tags = entry_for_post(session, post_id=post.id)
    assert tags == ["second", "third"] and entry.origin == "external"
    audited = session.exec(
        select(AuditEntry.action).where(
            AuditEntry.target_type == "post", AuditEntry.target_id == post.id
        )
    ).all()
    assert audited == ["showcase.add", "showcase.update"]
    assert [t for t, _n in showcase_tags(session, user=author)] == ["second", "third"]


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"origin": "somewhere"}, "origin"),
        ({"external_url": "javascript:alert(1)"}, "external_url"),
        ({"external_url": "ftp://example.com"}, "external_url"),
    ],
)
def test_featuring_checks_origin_and_link(session, kwargs, field):
    host = make_user(session)
    post = make_post(session, author=host, space=make_space(session, host=host))
    with pytest.raises(Invalid) as raised:
        feature_post(session, user=host, post_id=post.id, tags="x", **kwargs)
    assert raised.value.field == field


def test_hidden_and_scheduled_posts_stay_out_of_the_showcase(session):
    host = make_user(session)
    space = make_space(session, host=host)
    later = create_post(
        session,
        access=access_for(session, host, space),
        title="later",
        body="b",
        publish_at=utcnow() + timedelta(hours=2),
    )
    with pytest.raises(Invalid, match="Publish the post first"):
        feature_post(session, user=host, post_id=later.id, tags="x")
    hidden = make_post(session, author=host, space=space)
    hidden.hidden_at = utcnow()
    session.add(hidden)
    session.commit()
    with pytest.raises(Invalid, match="Hidden posts"):
        suggest_post(session, user=host, post_id=hidden.id)


def test_removing_from_the_showcase(session):
    host = make_user(session)
    post = make_post(session, author=host, space=make_space(session, host=host))
    feature_post(session, user=host, post_id=post.id, tags="x")
    unfeature_post(session, user=host, post_id=post.id)
    session.commit()
    assert showcase_page(session, user=host).items == []
    assert len(_audit(session, "showcase.remove")) == 1
    with pytest.raises(NotFound):
        unfeature_post(session, user=host, post_id=post.id)


def test_suggestions_once_per_person_and_closed_when_featured(session):
    host, reader = make_user(session), make_user(session)
    space = make_space(session, host=host, members=(reader,))
    post = make_post(session, author=host, space=space)
    first = suggest_post(session, user=reader, post_id=post.id, note="Nice")
    again = suggest_post(session, user=reader, post_id=post.id, note="Still nice")
    assert first.id == again.id
    with pytest.raises(Invalid):
        suggest_post(session, user=reader, post_id=post.id + 0, note="x" * 501)

    feature_post(session, user=host, post_id=post.id, tags="x")
    session.commit()

    assert session.exec(select(ShowcaseSuggestion)).one().state == "accepted"
    with pytest.raises(Conflict):
        suggest_post(session, user=make_user(session), post_id=post.id)
    with pytest.raises(Conflict):
        decline_suggestion(session, user=host, suggestion_id=first.id)
    with pytest.raises(NotFound):
        decline_suggestion(session, user=host, suggestion_id=first.id + 99)


def test_the_showcase_pages_with_a_cursor(session):
    host = make_user(session)
    space = make_space(session, host=host)
    posts = [make_post(session, author=host, space=space, title=f"p{i}") for i in range(5)]
    for post in posts:
        feature_post(session, user=host, post_id=post.id, tags="x")
    session.commit()
    seen, cursor = [], None
    while True:
        page = showcase_page(session, user=host, cursor=cursor, limit=2)
        seen += [c.post.title for c in page.items]
        if not (cursor := page.next_cursor):
            break
    assert seen == ["p4", "p3", "p2", "p1", "p0"]


def test_home_pins_are_for_admins_and_public_announcements(session):
    admin, host = make_user(session, admin=True), make_user(session)
    space = make_space(session, host=host, members=(admin,))
    news = make_post(session, author=host, space=space, kind="announcement", title="News")
    with pytest.raises(Forbidden):
        pin_on_home(session, user=host, post_id=news.id)
    with pytest.raises(Invalid):
        pin_on_home(session, user=admin, post_id=news.id, expires_at=utcnow() - timedelta(1))

    pin_on_home(session, user=admin, post_id=news.id)
    session.commit()
    assert [p.title for p, _s, _pin in home_pins(session)] == ["News"]

    with pytest.raises(Forbidden):
        unpin_from_home(session, user=host, post_id=news.id)
    unpin_from_home(session, user=admin, post_id=news.id)
    session.commit()
    assert home_pins(session) == []
    audited = session.exec(
        select(AuditEntry.action).where(
            AuditEntry.target_type == "post", AuditEntry.target_id == news.id
        )
    ).all()
    assert audited == ["site_pin.add", "site_pin.remove"]
    with pytest.raises(NotFound):
        unpin_from_home(session, user=admin, post_id=news.id)


def test_an_expired_pin_leaves_home_at_once(session):
    admin = make_user(session, admin=True)
    space = make_space(session, host=admin)
    news = make_post(session, author=admin, space=space, kind="announcement")
    pin_on_home(session, user=admin, post_id=news.id, expires_at=utcnow() + timedelta(seconds=1))
    session.commit()
    assert len(home_pins(session)) == 1
    pin = site_pin_for(session, post_id=news.id)
    assert pin is not None
    pin.expires_at = utcnow() - timedelta(seconds=1)
    session.add(pin)
    session.commit()
    assert home_pins(session) == []


def test_prompts_are_for_hosts_and_suggestions_skip_used_ones(session):
    host, member = make_user(session), make_user(session)
    space = make_space(session, host=host, members=(member,), name="Running club")
    host_access = access_for(session, host, space)
    first_three = [p.key for p in suggested_prompts(session, access=host_access)]
    assert len(first_three) == 3 and all(k.startswith("interest-") for k in first_three)
    with pytest.raises(Forbidden):
        create_prompt(session, access=access_for(session, member, space), question="Q?")
    with pytest.raises(Invalid):
        create_prompt(session, access=host_access, question="Q?", library_key="nope")
    with pytest.raises(Invalid):
        create_prompt(session, access=host_access, question="Q?", answer_format="x" * 301)

    create_prompt(session, access=host_access, question="Q?", library_key=first_three[0])
    session.commit()

    again = [p.key for p in suggested_prompts(session, access=host_access)]
    assert first_three[0] not in again and len(again) == 3
    with pytest.raises(Forbidden):
        create_post(
            session, access=access_for(session, member, space), title="t", body="b", kind="prompt"
        )
