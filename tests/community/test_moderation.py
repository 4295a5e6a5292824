"""Flags, auto-hide, the review queue, every moderator action and its audit entry."""

import pytest
from sqlmodel import col, select

from app.core.config import get_settings
from app.core.errors import Conflict, Forbidden, Invalid, NotFound
from app.moderation.models import Flag, FlagState
from app.moderation.review import moderation_notes, review_queue
from app.moderation.service import (
    act_on_flag,
    flag_comment,
    flag_post,
)
from app.notifications.models import Notification
from app.people.models import AuditEntry
from app.posts.service import load_comment, load_post
from app.posts.streams import comments_page, home_stream
from tests.factories import make_comment, make_post, make_space, make_user


@pytest.fixture
def world(session):
    host = make_user(session, name="Host")
    author = make_user(session, name="Author")
    readers = [make_user(session, name=f"Reader {i}") for i in range(4)]
    admin = make_user(session, name="Admin", admin=True)
    outsider = make_user(session, name="Outsider")
    space = make_space(session, host=host, members=(author, *readers))
    post = make_post(session, author=author, space=space, title="Questionable")
    return {
        "host": host,
        "author": author,
        "readers": readers,
        "admin": admin,
        "outsider": outsider,
        "space": space,
        "post": post,
    }


def _audit(session, action):
    return session.exec(select(AuditEntry).where(AuditEntry.action == action)).all()


def _notes_for(session, user):
    return [
        n.text for n in session.exec(select(Notification).where(Notification.user_id == user.id))
    ]


def test_a_reader_flags_with_a_reason_and_the_host_hears_of_it(session, world):
    flag = flag_post(
        session, user=world["readers"][0], post_id=world["post"].id, reason="  Off topic  "
    )
    session.commit()
    assert flag.reason == "Off topic"
    assert flag.state == FlagState.open
    assert any("flagged for review" in text for text in _notes_for(session, world["host"]))
    assert [i.count for i in review_queue(session, user=world["host"]).items] == [1]


@pytest.mark.parametrize("reason", ["", "  ", "no", "x" * 501])
def test_a_flag_needs_a_real_reason(session, world, reason):
    with pytest.raises(Invalid) as raised:
        flag_post(session, user=world["readers"][0], post_id=world["post"].id, reason=reason)
    assert raised.value.field == "reason"


def test_nobody_flags_their_own_content_or_content_they_cannot_read(session, world):
    with pytest.raises(Invalid):
        flag_post(session, user=world["author"], post_id=world["post"].id, reason="mine, oops")
    private = make_space(session, host=world["host"], visibility="private")
    hidden_post = make_post(session, author=world["host"], space=private)
    with pytest.raises(NotFound):
        flag_post(session, user=world["outsider"], post_id=hidden_post.id, reason="cannot see")


def test_flagging_twice_counts_once(session, world):
    reader = world["readers"][0]
    flag_post(session, user=reader, post_id=world["post"].id, reason="first reason")
    flag_post(session, user=reader, post_id=world["post"].id, reason="second reason")
    session.commit()
    flags = session.exec(select(Flag)).all()
    assert len(flags) == 1
    assert flags[0].reason == "second reason"


def test_enough_different_people_hide_it_pending_review(session, world):
    threshold = get_settings().flag_auto_hide_threshold
    post = world["post"]
    for reader in world["readers"][: threshold - 1]:
        flag_post(session, user=reader, post_id=post.id, reason="spam spam")
    session.commit()
    assert load_post(session, user=world["outsider"], post_id=post.id)[0].hidden_at is None

    flag_post(session, user=world["readers"][threshold - 1], post_id=post.id, reason="spam")
    session.commit()

    assert post.hidden_at is not None
    with pytest.raises(NotFound):
        load_post(session, user=world["outsider"], post_id=post.id)
    assert post.id not in [c.post.id for c in home_stream(session, user=world["host"]).items]
    load_post(session, user=world["author"], post_id=post.id)  # the author still sees it
    load_post(session, user=world["host"], post_id=post.id)  # and so do moderators
    assert [a.actor_id for a in _audit(session, "moderation.auto_hide")] == [None]
    assert any("hidden until a moderator" in t for t in _notes_for(session, world["author"]))


def test_the_threshold_is_a_setting(session, world, monkeypatch):
    monkeypatch.setattr(get_settings(), "flag_auto_hide_threshold", 1)
    flag_post(session, user=world["readers"][0], post_id=world["post"].id, reason="one is enough")
    session.commit()
    assert world["post"].hidden_at is not None


def test_comments_are_flagged_and_hidden_like_posts(session, world, monkeypatch):
    monkeypatch.setattr(get_settings(), "flag_auto_hide_threshold", 2)
    comment = make_comment(session, author=world["author"], post=world["post"], body="rude")
    for reader in world["readers"][:2]:
        flag_comment(session, user=reader, comment_id=comment.id, reason="rude words")
    session.commit()

    assert comment.hidden_at is not None
    with pytest.raises(NotFound):
        load_comment(session, user=world["readers"][3], comment_id=comment.id)
    others = comments_page(session, user=world["readers"][3], post=world["post"]).items
    assert comment.id not in [c.id for c, _a in others]
    mine = comments_page(session, user=world["author"], post=world["post"]).items
    assert comment.id in [c.id for c, _a in mine]


def test_the_queue_groups_flags_per_target_for_hosts_and_admins_only(session, world):
    post = world["post"]
    comment = make_comment(session, author=world["author"], post=post, body="meh")
    flag_post(session, user=world["readers"][0], post_id=post.id, reason="reason A")
    flag_post(session, user=world["readers"][1], post_id=post.id, reason="reason B")
    flag_comment(session, user=world["readers"][2], comment_id=comment.id, reason="reason C")
    session.commit()

    for moderator in (world["host"], world["admin"]):
        items = review_queue(session, user=moderator).items
        assert [(i.target_type, i.count) for i in items] == [("post", 2), ("comment", 1)]
        assert items[0].reasons == ["reason A", "reason B"]
        assert items[1].comment is not None and items[1].comment.id == comment.id
    assert review_queue(session, user=world["readers"][0]).items == []
    assert review_queue(session, user=world["outsider"]).items == []


def test_admins_do_not_see_flags_in_private_spaces_they_are_not_in(session, world):
    private = make_space(
        session, host=world["host"], visibility="private", members=(world["author"],)
    )
    secret_post = make_post(session, author=world["host"], space=private, title="Private")
    flag_post(session, user=world["author"], post_id=secret_post.id, reason="wrong place")
    session.commit()

    assert [i.post.title for i in review_queue(session, user=world["host"]).items] == ["Private"]
    assert review_queue(session, user=world["admin"]).items == []
    flag = session.exec(select(Flag)).one()
    with pytest.raises(NotFound):
        act_on_flag(session, user=world["admin"], flag_id=flag.id, action="hide")


def test_the_queue_pages_with_a_cursor(session, world):
    posts = [make_post(session, author=world["author"], space=world["space"]) for _ in range(5)]
    for post in posts:
        flag_post(session, user=world["readers"][0], post_id=post.id, reason="page me")
    session.commit()
    seen, cursor = [], None
    while True:
        page = review_queue(session, user=world["host"], cursor=cursor, limit=2)
        seen += [i.post.id for i in page.items]
        if not (cursor := page.next_cursor):
            break
    assert seen == [p.id for p in posts]


def _flag(session, world, reader=0, target=None):
    flag = flag_post(
        session, user=world["readers"][reader], post_id=(target or world["post"]).id, reason="bad"
    )
    session.commit()
    return flag


def test_hide_tells_the_author_why_and_is_audited(session, world):
    _flag(session, world, 0)
    flag = _flag(session, world, 1)

    decision = act_on_flag(
        session, user=world["host"], flag_id=flag.id, action="hide", note="Contains a customer name"
    )
    session.commit()

    assert decision.hidden and decision.resolved == 2
    assert world["post"].hidden_at is not None
    assert {f.state for f in session.exec(select(Flag)).all()} == {FlagState.hidden}
    assert any("Contains a customer name" in t for t in _notes_for(session, world["author"]))
    entry = _audit(session, "moderation.hide")[0]
    assert (entry.actor_id, entry.target_type, entry.target_id, entry.space_id) == (
        world["host"].id,
        "post",
        world["post"].id,
        world["space"].id,
    )
    assert "Contains a customer name" in entry.detail
    _post, _access, notes = moderation_notes(
        session, user=world["author"], post_id=world["post"].id
    )
    assert [(n.state, n.note) for n in notes] == [("hidden", "Contains a customer name")]


def test_restore_brings_hidden_content_back_and_is_audited(session, world):
    flag = _flag(session, world)
    act_on_flag(session, user=world["host"], flag_id=flag.id, action="hide", note="Check this")
    session.commit()

    act_on_flag(session, user=world["admin"], flag_id=flag.id, action="restore")
    session.commit()

    assert world["post"].hidden_at is None
    load_post(session, user=world["outsider"], post_id=world["post"].id)
    assert _audit(session, "moderation.restore")[0].actor_id == world["admin"].id
    assert any("visible again" in t for t in _notes_for(session, world["author"]))
    with pytest.raises(Conflict):
        act_on_flag(session, user=world["admin"], flag_id=flag.id, action="restore")


def test_dismiss_closes_the_case_and_lifts_an_automatic_hide(session, world, monkeypatch):
    monkeypatch.setattr(get_settings(), "flag_auto_hide_threshold", 2)
    _flag(session, world, 0)
    flag = _flag(session, world, 1)
    assert world["post"].hidden_at is not None

    act_on_flag(session, user=world["host"], flag_id=flag.id, action="dismiss")
    session.commit()

    assert world["post"].hidden_at is None
    assert {f.state for f in session.exec(select(Flag)).all()} == {FlagState.dismissed}
    assert len(_audit(session, "moderation.dismiss")) == 1
    assert review_queue(session, user=world["host"]).items == []


def test_warn_keeps_it_visible_and_tells_the_author(session, world):
    flag = _flag(session, world)
    act_on_flag(session, user=world["host"], flag_id=flag.id, action="warn", note="Mind the tone")
    session.commit()

    assert world["post"].hidden_at is None
    assert any("Mind the tone" in t for t in _notes_for(session, world["author"]))
    assert len(_audit(session, "moderation.warn")) == 1


def test_a_case_is_handled_once(session, world):
    flag = _flag(session, world)
    act_on_flag(session, user=world["host"], flag_id=flag.id, action="dismiss")
    session.commit()
    with pytest.raises(Conflict):
        act_on_flag(session, user=world["admin"], flag_id=flag.id, action="warn")
    assert (
        len(
            session.exec(
                select(AuditEntry).where(col(AuditEntry.action).startswith("moderation"))
            ).all()
        )
        == 1
    )


def test_only_moderators_act_and_unknown_actions_are_invalid(session, world):
    flag = _flag(session, world)
    with pytest.raises(Forbidden):
        act_on_flag(session, user=world["readers"][2], flag_id=flag.id, action="hide")
    with pytest.raises(NotFound):
        act_on_flag(session, user=world["outsider"], flag_id=flag.id + 999, action="hide")
    with pytest.raises(Invalid):
        act_on_flag(session, user=world["host"], flag_id=flag.id, action="delete")


def test_moderation_notes_show_the_author_only_decisions_about_their_own_content(session, world):
    comment = make_comment(session, author=world["readers"][0], post=world["post"], body="x")
    flag = flag_comment(session, user=world["readers"][1], comment_id=comment.id, reason="rude!")
    session.commit()
    act_on_flag(session, user=world["host"], flag_id=flag.id, action="hide", note="Be kind")
    session.commit()

    _p, _a, for_post_author = moderation_notes(
        session, user=world["author"], post_id=world["post"].id
    )
    _p, _a, for_commenter = moderation_notes(
        session, user=world["readers"][0], post_id=world["post"].id
    )
    _p, _a, for_host = moderation_notes(session, user=world["host"], post_id=world["post"].id)
    assert for_post_author == []
    assert [n.note for n in for_commenter] == ["Be kind"]
    assert [n.note for n in for_host] == ["Be kind"]
