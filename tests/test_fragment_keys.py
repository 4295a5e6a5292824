"""Stored fragments: the reader's CSRF token goes into forms only, never into what someone
wrote; keys stand for texts by ids and edit times and never serve an old text."""

import pytest
from markupsafe import Markup

from app.posts.service import update_comment
from app.web import fragments
from tests.factories import make_comment, make_post, make_space, make_user

OLD_SLOT = "csrf-token-of-the-reader"  # the fixed placeholder once used
SLOT_WORD = "csrf-slot-"  # how the word of a stored fragment's token slot begins


def test_text_that_names_a_placeholder_never_becomes_the_readers_token(session, login):
    author, reader = make_user(session), make_user(session)
    space = make_space(session, host=author, members=(reader,))
    post = make_post(
        session, author=author, space=space, title="Slots", body=f"body {OLD_SLOT} {SLOT_WORD}x"
    )
    make_comment(session, author=author, post=post, body=f"comment {OLD_SLOT} {SLOT_WORD}y")
    client = login(reader)

    for path in (f"/spaces/{space.slug}", f"/posts/{post.id}", "/"):
        page = client.get(path).text
        # Where it belongs: form fields, and the header htmx sends with every request.
        elsewhere = page.replace(f'value="{client.csrf}"', "").replace(
            f'"X-CSRF-Token": "{client.csrf}"', ""
        )
        assert client.csrf not in elsewhere
    page = client.get(f"/posts/{post.id}").text
    assert f"body {OLD_SLOT} {SLOT_WORD}x" in page and f"comment {OLD_SLOT} {SLOT_WORD}y" in page


def test_a_slot_word_written_by_someone_is_never_cut_at(monkeypatch):
    """The stored HTML is cut only where the template wrote the slot: a text holding the very
    word of this rendering (as if guessed) is refused, not served with the token inside."""
    words = iter(["a" * 32, "a" * 32])
    monkeypatch.setattr(fragments.secrets, "token_hex", lambda _n: next(words))
    text = f"{SLOT_WORD}{'a' * 32}"

    def render() -> str:
        return Markup('<p>%s</p><input value="%s">') % (text, fragments.TOKEN_SLOT)

    with pytest.raises(RuntimeError, match="where it wrote none"):
        fragments.fragment_with_token(("test", "guessed"), "TOKEN", render)
    served = fragments.fragment_with_token(
        ("test", "typed"),
        "TOKEN",
        lambda: (
            Markup('<p>%s</p><input value="%s">') % (f"{SLOT_WORD}{'b' * 32}", fragments.TOKEN_SLOT)
        ),
    )
    assert served == f'<p>{SLOT_WORD}{"b" * 32}</p><input value="TOKEN">'


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
