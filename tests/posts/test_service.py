"""Posts, comments, reactions and mentions through the service layer."""

import pytest
from sqlmodel import select

from app.core.errors import Forbidden, Invalid, NotFound
from app.notifications.models import Notification
from app.notifications.service import list_notifications, unread_count
from app.posts import service, streams
from app.posts.models import Post, Reaction
from app.spaces.access import access_for
from app.spaces.service import remove_member
from tests.factories import make_comment, make_post, make_space, make_user


def test_markdown_is_rendered_and_sanitised(session):
    author = make_user(session)
    space = make_space(session, host=author)
    post = make_post(
        session,
        author=author,
        space=space,
        body=(
            "**bold** <script>alert(1)</script> [x](javascript:alert(1)) "
            "<img src=x onerror=alert(1)> [ok](https://example.com)"
        ),
    )
    assert "<strong>bold</strong>" in post.body_html
    assert "<script" not in post.body_html
    assert 'href="javascript' not in post.body_html
    assert "<img" not in post.body_html
    assert 'href="https://example.com"' in post.body_html


@pytest.mark.parametrize(
    ("title", "body", "field"),
    [
        ("", "text", "title"),
        ("t" * 201, "text", "title"),
        ("ok", "   ", "body"),
        ("ok", "b" * 20001, "body"),
    ],
)
def test_bad_post_input_is_refused_and_nothing_written(session, title, body, field):
    author = make_user(session)
    space = make_space(session, host=author)
    with pytest.raises(Invalid) as caught:
        service.create_post(
            session, access=access_for(session, author, space), title=title, body=body
        )
    assert caught.value.field == field
    session.rollback()
    assert session.exec(select(Post)).all() == []


def test_non_members_cannot_post_and_members_cannot_announce(session):
    host, member, outsider = make_user(session), make_user(session), make_user(session)
    space = make_space(session, host=host, members=(member,))
    with pytest.raises(Forbidden):
        service.create_post(
            session, access=access_for(session, outsider, space), title="t", body="b"
        )
    with pytest.raises(Forbidden):
        service.create_post(
            session,
            access=access_for(session, member, space),
            title="t",
            body="b",
            kind="announcement",
        )


def test_mentions_link_and_notify_only_people_who_can_read(session):
    host, member, outsider = make_user(session), make_user(session), make_user(session)
    space = make_space(
        session, host=host, visibility="private", join_policy="request", members=(member,)
    )
    post = make_post(
        session,
        author=host,
        space=space,
        body=f"Hi @{member.handle} and @{outsider.handle}, not `@{member.handle}`",
    )

    assert f'href="/people/@{member.handle}"' in post.body_html
    assert post.body_html.count('class="mention"') == 2
    assert "<code>@" in post.body_html
    kinds = session.exec(select(Notification.user_id, Notification.kind)).all()
    assert kinds == [(member.id, "mention")]


def test_editing_a_post_notifies_only_newly_mentioned_people(session):
    author, anna, ben = make_user(session), make_user(session), make_user(session)
    space = make_space(session, host=author, members=(anna, ben))
    post = make_post(session, author=author, space=space, body=f"@{anna.handle}")
    service.update_post(session, user=author, post_id=post.id, body=f"@{anna.handle} @{ben.handle}")
    session.commit()
    counts = {u.id: unread_count(session, user=u) for u in (anna, ben)}
    assert counts == {anna.id: 1, ben.id: 1}
    assert post.edited_at is not None


def test_only_the_author_edits_and_author_or_host_deletes(session):
    host, author, other = make_user(session), make_user(session), make_user(session)
    space = make_space(session, host=host, members=(author, other))
    post = make_post(session, author=author, space=space)
    with pytest.raises(Forbidden):
        service.update_post(session, user=other, post_id=post.id, title="hijack")
    with pytest.raises(Forbidden):
        service.delete_post(session, user=other, post_id=post.id)
    service.delete_post(session, user=host, post_id=post.id)
    assert post.body == "" and post.deleted_at is not None
    with pytest.raises(NotFound):
        service.load_post(session, user=author, post_id=post.id)


def test_comments_count_notify_the_author_and_deleted_ones_drop_out(session):
    author, commenter = make_user(session), make_user(session)
    space = make_space(session, host=author, members=(commenter,))
    post = make_post(session, author=author, space=space)
    first = make_comment(session, author=commenter, post=post, body="one")
    make_comment(session, author=commenter, post=post, body="two")
    session.refresh(post)
    assert post.comment_count == 2
    assert unread_count(session, user=author) == 2

    service.delete_comment(session, user=commenter, comment_id=first.id)
    session.commit()
    session.refresh(post)
    page = streams.comments_page(session, user=author, post=post)
    assert [c.body for c, _a in page.items] == ["two"]
    assert post.comment_count == 1


def test_comment_reply_must_belong_to_the_same_post(session):
    author = make_user(session)
    space = make_space(session, host=author)
    one, two = (
        make_post(session, author=author, space=space),
        make_post(session, author=author, space=space),
    )
    foreign = make_comment(session, author=author, post=one)
    with pytest.raises(Invalid):
        service.add_comment(session, user=author, post_id=two.id, body="x", parent_id=foreign.id)


def test_reactions_are_idempotent_and_reversible(session):
    author, fan = make_user(session), make_user(session)
    space = make_space(session, host=author)
    post = make_post(session, author=author, space=space)
    assert service.react(session, user=fan, post_id=post.id, kind="like") == {"like": 1}
    assert service.react(session, user=fan, post_id=post.id, kind="like") == {"like": 1}
    assert service.react(session, user=author, post_id=post.id, kind="thanks") == {
        "like": 1,
        "thanks": 1,
    }
    assert service.react(session, user=fan, post_id=post.id, kind="like", on=False) == {"thanks": 1}
    with pytest.raises(Invalid):
        service.react(session, user=fan, post_id=post.id, kind="angry")
    assert len(session.exec(select(Reaction)).all()) == 1


def test_only_hosts_pin(session):
    host, member = make_user(session), make_user(session)
    space = make_space(session, host=host, members=(member,))
    post = make_post(session, author=member, space=space)
    with pytest.raises(Forbidden):
        service.set_pinned(session, user=member, post_id=post.id, pinned=True)
    assert (
        service.set_pinned(session, user=host, post_id=post.id, pinned=True).pinned_at is not None
    )


def test_private_posts_are_not_found_for_outsiders_and_admins(session):
    host, outsider, admin = make_user(session), make_user(session), make_user(session, admin=True)
    space = make_space(session, host=host, visibility="private", join_policy="request")
    post = make_post(session, author=host, space=space)
    for person in (outsider, admin):
        with pytest.raises(NotFound):
            service.load_post(session, user=person, post_id=post.id)


def test_notifications_disappear_when_access_is_lost(session):
    host, member = make_user(session), make_user(session)
    space = make_space(
        session, host=host, visibility="private", join_policy="request", members=(member,)
    )
    make_post(session, author=host, space=space, title="Secret plans", body=f"@{member.handle}")
    assert len(list_notifications(session, user=member).items) == 1

    remove_member(session, access=access_for(session, host, space), user_id=member.id)
    session.commit()

    assert list_notifications(session, user=member).items == []
    assert unread_count(session, user=member) == 0


def test_mention_candidates_in_private_space_are_members_only(session):
    host = make_user(session, name="Zora Host")
    member = make_user(session, name="Zed Member")
    make_user(session, name="Zelda Outsider")
    space = make_space(
        session, host=host, visibility="private", join_policy="request", members=(member,)
    )
    names = [
        u.display_name
        for u in service.mention_candidates(
            session, access=access_for(session, host, space), prefix="z"
        )
    ]
    assert names == ["Zed Member", "Zora Host"]


def test_posts_by_author_only_lists_what_the_viewer_can_read(session):
    author, viewer = make_user(session), make_user(session)
    public = make_space(session, host=author)
    private = make_space(session, host=author, visibility="private", join_policy="request")
    make_post(session, author=author, space=public, title="open")
    make_post(session, author=author, space=private, title="closed")
    titles = [
        c.post.title
        for c in streams.posts_by_author(session, viewer=viewer, author_id=author.id).items
    ]
    assert titles == ["open"]


def test_markdown_headings_sit_below_the_page_title(session):
    author = make_user(session)
    space = make_space(session, host=author)
    post = make_post(
        session, author=author, space=space, body="# Agenda\n\n## Budget\n\n###### Small print"
    )
    # The page's own <h1> is the title; the text's outline starts one level down.
    assert "<h1" not in post.body_html
    assert "<h2>Agenda</h2>" in post.body_html
    assert "<h3>Budget</h3>" in post.body_html
    assert "<h6>Small print</h6>" in post.body_html


def test_a_comment_mentioning_the_posts_author_notifies_them_once(session):
    author, commenter, other = make_user(session), make_user(session), make_user(session)
    space = make_space(session, host=author, members=(commenter, other))
    post = make_post(session, author=author, space=space)
    make_comment(
        session, author=commenter, post=post, body=f"@{author.handle} and @{other.handle}, look"
    )
    kinds = sorted(session.exec(select(Notification.user_id, Notification.kind)).all())
    assert kinds == sorted([(author.id, "mention"), (other.id, "mention")])

    make_comment(session, author=other, post=post, body="No mention here")
    assert unread_count(session, user=author) == 2  # the plain comment still tells them
