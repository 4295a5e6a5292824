"""Post pages over HTTP: compose, edit, delete, pin, comment and react (page and htmx fragment)."""

from sqlmodel import select

from app.posts.models import Comment, Post
from tests.factories import make_comment, make_post, make_space, make_user


def test_compose_shows_the_audience_and_creates_the_post(session, login):
    host, member = make_user(session), make_user(session)
    space = make_space(
        session,
        host=host,
        visibility="private",
        join_policy="request",
        members=(member,),
        name="Sales DACH",
    )
    client = login(member)
    page = client.get(f"/spaces/{space.slug}")
    assert "Visible to the 2 members of Sales DACH." in page.text
    response = client.form(
        f"/spaces/{space.slug}/posts",
        {"title": "Hello", "body": f"Hi @{host.handle}", "kind": "question"},
    )
    assert response.status_code == 303
    post = session.exec(select(Post)).one()
    assert response.headers["location"] == f"/posts/{post.id}"
    assert post.kind == "question"
    shown = client.get(f"/posts/{post.id}").text
    assert f'href="/people/@{host.handle}"' in shown


def test_invalid_post_re_renders_the_composer_with_the_text_kept(session, login):
    host = make_user(session)
    space = make_space(session, host=host)
    client = login(host)
    response = client.form(f"/spaces/{space.slug}/posts", {"title": "", "body": "keep me"})
    assert response.status_code == 422
    assert "Give it a title" in response.text
    assert "keep me" in response.text
    assert session.exec(select(Post)).all() == []
    fragment = client.htmx("POST", f"/spaces/{space.slug}/posts", data={"title": "t", "body": ""})
    assert fragment.status_code == 422
    assert "<html" not in fragment.text
    assert "Write something first" in fragment.text


def test_author_edits_with_an_edited_mark_and_others_cannot(session, login):
    host, author = make_user(session), make_user(session)
    space = make_space(session, host=host, members=(author,))
    post = make_post(session, author=author, space=space, title="Before")
    client = login(author)
    assert client.get(f"/posts/{post.id}/edit").status_code == 200
    bad = client.form(f"/posts/{post.id}/edit", {"title": "", "body": "x"})
    assert bad.status_code == 422
    client.form(f"/posts/{post.id}/edit", {"title": "After", "body": "new **text**"})
    page = client.get(f"/posts/{post.id}").text
    assert "After" in page
    assert "edited" in page
    assert "<strong>text</strong>" in page
    assert (
        login(host).form(f"/posts/{post.id}/edit", {"title": "x", "body": "y"}).status_code == 403
    )


def test_host_pins_and_deletes(session, login):
    host, author = make_user(session), make_user(session)
    space = make_space(session, host=host, members=(author,))
    post = make_post(session, author=author, space=space, title="Pin me")
    client = login(host)
    client.form(f"/posts/{post.id}/pin", {"pinned": "true"})
    space_page = client.get(f"/spaces/{space.slug}").text
    assert space_page.index("Pinned") < space_page.index("Pin me")
    client.form(f"/posts/{post.id}/pin", {"pinned": "false"})
    response = client.form(f"/posts/{post.id}/delete")
    assert response.headers["location"] == f"/spaces/{space.slug}"
    assert client.get(f"/posts/{post.id}").status_code == 404


def test_comment_by_form_and_by_htmx(session, login):
    host, member = make_user(session), make_user(session)
    space = make_space(session, host=host, members=(member,))
    post = make_post(session, author=host, space=space)
    client = login(member)
    response = client.form(f"/posts/{post.id}/comments", {"body": "First!"})
    assert response.status_code == 303
    fragment = client.htmx(
        "POST",
        f"/posts/{post.id}/comments",
        target="comment-list",
        data={"body": "Second, via htmx"},
    )
    assert fragment.status_code == 200
    assert "<html" not in fragment.text
    assert "Second, via htmx" in fragment.text
    empty = client.htmx(
        "POST", f"/posts/{post.id}/comments", target="comment-list", data={"body": " "}
    )
    assert empty.status_code == 422
    assert "Write a comment first" in empty.text
    assert len(session.exec(select(Comment)).all()) == 2


def test_comment_edit_and_delete_by_the_author(session, login):
    host = make_user(session)
    space = make_space(session, host=host)
    post = make_post(session, author=host, space=space)
    comment = make_comment(session, author=host, post=post, body="tpyo")
    client = login(host)
    assert client.get(f"/comments/{comment.id}/edit").status_code == 200
    assert client.form(f"/comments/{comment.id}/edit", {"body": ""}).status_code == 422
    client.form(f"/comments/{comment.id}/edit", {"body": "typo fixed"})
    assert "typo fixed" in client.get(f"/posts/{post.id}").text
    client.form(f"/comments/{comment.id}/delete")
    assert "typo fixed" not in client.get(f"/posts/{post.id}").text


def test_reaction_toggle_returns_the_reactions_fragment(session, login):
    host, fan = make_user(session), make_user(session)
    space = make_space(session, host=host, members=(fan,))
    post = make_post(session, author=host, space=space)
    client = login(fan)
    url, target = f"/posts/{post.id}/reactions", f"reactions-{post.id}"
    on = client.htmx("POST", url, target=target, data={"kind": "like"})
    assert on.status_code == 200
    assert "<html" not in on.text
    assert on.text.count("<form") == 1
    assert 'aria-label="Like (1)"' in on.text
    assert 'aria-pressed="true"' in on.text
    off = client.htmx("POST", url, target=target, data={"kind": "like"})
    assert 'aria-label="Like (0)"' in off.text
    assert 'aria-pressed="true"' not in off.text
    assert client.form(url, {"kind": "thanks"}).status_code == 303
    assert client.get(f"/posts/{post.id}").text.count('aria-pressed="true"') == 1


def test_a_reaction_needs_a_known_kind_and_writes_nothing_otherwise(session, login):
    host = make_user(session)
    space = make_space(session, host=host)
    post = make_post(session, author=host, space=space)
    client = login(host)
    for bad in ({"kind": "meh"}, {}, {"kind": ""}):
        answer = client.form(f"/posts/{post.id}/reactions", bad)
        assert answer.status_code == 422
        assert "Unknown reaction" in answer.text
    assert 'aria-pressed="true"' not in client.get(f"/posts/{post.id}").text


def test_each_card_has_one_reaction_form_with_a_button_per_kind(session, login):
    host = make_user(session)
    space = make_space(session, host=host)
    make_post(session, author=host, space=space)
    page = login(host).get(f"/spaces/{space.slug}").text
    assert page.count('class="reactions"') == 1
    for kind in ("like", "thanks", "insightful"):
        assert f'name="kind" value="{kind}"' in page


def test_post_page_query_count_is_constant_in_the_number_of_comments(session, login, count_queries):
    host = make_user(session)
    others = tuple(make_user(session) for _ in range(5))
    space = make_space(session, host=host, members=others)
    post = make_post(session, author=host, space=space)
    make_comment(session, author=host, post=post)
    client = login(host)
    with count_queries() as few:
        client.get(f"/posts/{post.id}")
    for i in range(30):
        make_comment(session, author=others[i % 5], post=post, body=f"c{i}")
    with count_queries() as many:
        client.get(f"/posts/{post.id}")
    assert len(few) == len(many)
    # The person; the post with its author, space, membership and member count (app.posts.page);
    # reactions, comments, badges beside names, and whether a poll sits in the post (issue 21).
    assert len(many) <= 6


def test_comment_pages_load_more(session, login):
    host = make_user(session)
    space = make_space(session, host=host)
    post = make_post(session, author=host, space=space)
    for i in range(55):
        make_comment(session, author=host, post=post, body=f"comment number {i}")
    client = login(host)
    page = client.get(f"/posts/{post.id}").text
    assert "comment number 49" in page
    assert "comment number 50" not in page
    cursor = page.split("?cursor=")[1].split('"')[0]
    more = client.htmx("GET", f"/posts/{post.id}?cursor={cursor}", target="load-more")
    assert "comment number 54" in more.text
    assert "<html" not in more.text


def test_notifications_page_badge_and_mark_read(session, login):
    host, member = make_user(session), make_user(session)
    space = make_space(session, host=host, members=(member,))
    make_post(session, author=host, space=space, title="Ping", body=f"@{member.handle} look")
    client = login(member)
    assert ">1<" in client.htmx("GET", "/notifications/badge", target="unread-badge").text
    page = client.get("/notifications")
    assert "mentioned you in “Ping”" in page.text
    client.form("/notifications/read")
    assert "count-badge" not in client.get("/notifications/badge").text


def test_refused_edit_keeps_what_was_typed_and_changes_nothing(session, login):
    host = make_user(session)
    space = make_space(session, host=host)
    post = make_post(session, author=host, space=space, title="Before")
    client = login(host)
    response = client.form(f"/posts/{post.id}/edit", {"title": "", "body": "typed again"})
    assert response.status_code == 422
    assert "Give it a title" in response.text
    assert "typed again" in response.text
    session.refresh(post)
    assert post.title == "Before"


def test_post_page_read_as_rows_decides_as_the_access_rule(session, login):
    """The page reads post, space and membership as rows (app/posts/page.py): the same rule
    decides, moderators (a host's membership row, an admin) see a hidden post, members do not,
    a member's count and the audience line come from the same query."""
    host, author, member = (make_user(session) for _ in range(3))
    admin = make_user(session, admin=True)
    space = make_space(session, host=host, members=(author, member))
    hidden = make_post(session, author=author, space=space, title="Hidden one")
    hidden.hidden_at = hidden.published_at
    session.add(hidden)
    session.commit()
    assert login(member).get(f"/posts/{hidden.id}").status_code == 404
    for reader in (author, host, admin):
        page = login(reader).get(f"/posts/{hidden.id}")
        assert page.status_code == 200 and "Hidden by a moderator" in page.text
    # The host's role reaches SpaceAccess from the row: hosts get the pin form, members not.
    pin_form = f'action="/posts/{hidden.id}/pin"'
    assert pin_form in login(host).get(f"/posts/{hidden.id}").text
    shown = make_post(session, author=author, space=space, title="Shown one")
    assert f'action="/posts/{shown.id}/pin"' not in login(member).get(f"/posts/{shown.id}").text
    secret = make_space(session, host=host, visibility="secret", members=(member,))
    closed = make_post(session, author=host, space=secret, title="Members only")
    assert login(author).get(f"/posts/{closed.id}").status_code == 404
    page = login(member).get(f"/posts/{closed.id}").text
    assert "Members only" in page
    assert "Visible only to the 2 members of the secret space" in page
