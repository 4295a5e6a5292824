"""Stored fragments: the reader's CSRF token goes into forms only, never into what someone
wrote; keys stand for texts by ids and edit times and never serve an old text."""

from app.posts.service import update_comment
from app.web import fragments
from app.web.fragments import TOKEN_SLOT
from tests.factories import make_comment, make_post, make_space, make_user

OLD_SLOT = "csrf-token-of-the-reader"  # the fixed placeholder once used


def test_text_that_names_a_placeholder_never_becomes_the_readers_token(session, login):
    author, reader = make_user(session), make_user(session)
    space = make_space(session, host=author, members=(reader,))
    post = make_post(session, author=author, space=space, title="Slots", body=f"body {OLD_SLOT}")
    make_comment(session, author=author, post=post, body=f"comment {OLD_SLOT}")
    client = login(reader)

    for path in (f"/spaces/{space.slug}", f"/posts/{post.id}", "/"):
        page = client.get(path).text
        # Where it belongs: form fields, and the header htmx sends with every request.
        elsewhere = page.replace(f'value="{client.csrf}"', "").replace(
            f'"X-CSRF-Token": "{client.csrf}"', ""
        )
        assert client.csrf not in elsewhere
        assert TOKEN_SLOT not in page
    assert f"body {OLD_SLOT}" in client.get(f"/posts/{post.id}").text


def test_the_slot_is_not_a_word_anyone_could_know():
    assert TOKEN_SLOT != OLD_SLOT and len(TOKEN_SLOT) >= 32


def test_each_edit_of_a_comment_shows_at_once_and_keys_hold_no_text(session, login):
    author, reader = make_user(session), make_user(session)
    space = make_space(session, host=author, members=(reader,))
    post = make_post(session, author=author, space=space)
    comment = make_comment(session, author=author, post=post, body="first words")
    client = login(reader)
    assert "first words" in client.get(f"/posts/{post.id}").text

    for text in ("second words", "third words"):
        update_comment(session, user=author, comment_id=comment.id, body=text)
        session.commit()
        page = client.get(f"/posts/{post.id}").text
        assert text in page and "first words" not in page

    with fragments._lock:
        keys = repr(list(fragments._cache.keys()))
    assert "words" not in keys and "Some text" not in keys
