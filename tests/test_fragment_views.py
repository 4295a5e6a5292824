"""Each stored fragment renders from its view-model alone, and the view-model is its key: a
template cannot show what the key does not cover, and the key holds no text it stands for."""

import sys
from dataclasses import fields, replace
from datetime import UTC, datetime, timedelta
from functools import partial
from typing import Any

import pytest
from jinja2 import StrictUndefined, UndefinedError

from app.posts.service import update_post
from app.posts.streams import PostCard
from app.web import fragments, page_views, templates, views
from app.web.views import CardHead, PersonView, View, key_of
from tests.factories import make_post, make_space, make_user

WHEN = datetime(2026, 5, 4, 3, 2, 1, tzinfo=UTC)
ANNA = PersonView(
    7, "Anna <b>", True, "Host", 3, True, (views.MarkView("gold", "🌱", "Early", True),)
)
BEN = PersonView(8, "Ben", False, None, None, False)
SPACE = page_views.SpaceView(5, "garden", "Garden", "private", 12)


def _samples() -> list[View]:
    """One of each view-model, with every optional part present (so every branch that reads
    one is rendered)."""
    pv = page_views
    return [
        CardHead("en", "Europe/Berlin", "2 hours ago", 1, "question", True, WHEN, WHEN,
                 "garden", "Garden", ANNA, "A title", "<p>Body</p>"),
        views.Reactions("en", 1, (("like", 2),), ("like",)),
        views.CardFoot("en", 1, (("like", 2), ("thanks", 1)), ("thanks",), 3),
        views.CommentView("en", "UTC", "now", 2, 1, 1, WHEN, WHEN, True, ANNA, True, True,
                          "<p>Hi</p>"),
        views.CommentView("en", "UTC", "now", 3, 1, None, WHEN, None, False, None, False, True,
                          "<p>Hi</p>"),
        views.ThanksView("en", "UTC", "now", 4, WHEN, "Thanks!", ANNA, BEN, "Post", "/posts/1"),
        views.ThanksView("en", "UTC", "now", 5, WHEN, "Thanks!", None, BEN, None, None),
        pv.SpaceHead("en", SPACE, "About", 2, "request", False, True, True, True, True, False,
                     None, True),
        pv.SpaceHead("en", SPACE, None, None, "open", True, False, False, False, False, False,
                     "invited", False),
        pv.Composer("en", SPACE, True, "Europe/Berlin"),
        pv.CommentForm("en", 1, SPACE, True, True),
        pv.CommentForm("en", 1, SPACE, False, False),
        pv.Nav("en", True, "/moderation"),
        pv.NavMe("en", ANNA),
        pv.Footer("en", "Agora", True),
        pv.Voices("en", "UTC", (pv.Voice(1, "Title", WHEN, "now", ANNA, "garden", "Garden"),)),
        pv.Spotlight("en", "Agora", ANNA, "Garden", 2, 3, 1, "Latest", False),
        pv.Spotlight("en", "Agora", BEN, None, 0, 0, None, None, True),
        pv.HomeAside("en", (pv.Step("profile", True, "/settings"), pv.Step("spaces", False, "/s")),
                     (pv.ShowcaseItem(1, "Shown", ("a", "b")),)),
        pv.HomeAside("en", None, ()),
        pv.Upcoming("en", "UTC", (pv.Occasion(1, "2026-05-04", "Meet", True, WHEN, "Garden"),)),
        pv.Upcoming("en", "UTC", ()),
    ]  # fmt: skip


def _all_views(cls: type = View) -> set[type]:
    found = set()
    for sub in cls.__subclasses__():
        found |= {sub} | _all_views(sub)
    # A slotted dataclass is a new class; the one it was made from stays a subclass too.
    return {each for each in found if getattr(sys.modules[each.__module__], each.__name__) is each}


def test_every_view_model_has_a_sample_here():
    assert _all_views() == {type(view) for view in _samples()}


@pytest.fixture
def strict() -> Any:
    """The templates with StrictUndefined: a name or field that is not there is an error."""
    return templates.env.overlay(undefined=StrictUndefined, cache_size=0)


def _render_strictly(strict: Any, view: View) -> str:
    name, macro = view.macro.split(":")
    render = partial(getattr(strict.get_template(name).module, macro), view)
    return str(fragments.fragment_with_token(("strict", id(view)), "TOKEN", render))


@pytest.mark.parametrize("view", _samples(), ids=lambda view: type(view).__name__)
def test_each_fragment_renders_from_its_view_model_alone(strict, view):
    html = _render_strictly(strict, view)
    assert html.strip() and "csrf-slot-" not in html


def test_a_template_reading_what_its_view_model_lacks_fails(strict):
    reads_more = "{% macro m(v) %}{{ v.title }} {{ v.author_email }}{% endmacro %}"
    with pytest.raises(UndefinedError):
        strict.from_string(reads_more).module.m(_samples()[0])
    # The running site's own environment refuses it too, rather than print nothing.
    with pytest.raises(AttributeError, match=r"app\.web\.views"):
        templates.env.from_string(reads_more).module.m(_samples()[0])
    reads_the_page = "{% macro m(v) %}{{ current_user.display_name }}{% endmacro %}"
    with pytest.raises(UndefinedError):
        strict.from_string(reads_the_page).module.m(_samples()[0])


# The texts a view carries outside its key, and the field that stands for each.
STOOD_FOR = {"title": "edited_at", "body_html": "edited_at"}


@pytest.mark.parametrize("view", _samples(), ids=lambda view: type(view).__name__)
def test_the_key_holds_every_field_shown_but_the_texts_an_edit_time_stands_for(view):
    cls, held = key_of(view)
    shown = [each.name for each in fields(view)]
    outside = [each.name for each in fields(view) if not each.compare]
    assert cls is type(view)
    assert held == tuple(getattr(view, name) for name in shown if name not in outside)
    for name in outside:
        assert STOOD_FOR.get(name) in shown, f"{cls.__name__}.{name} is shown but in no key"


def _changed(value: Any) -> Any:
    if isinstance(value, bool):
        return not value
    if isinstance(value, int):
        return value + 1
    if isinstance(value, str):
        return value + "!"
    if isinstance(value, datetime):
        return value + timedelta(seconds=1)
    if value is None:
        return "something"
    if isinstance(value, tuple) and hasattr(value, "_fields"):  # a person, a space
        return value._replace(**{value._fields[1]: _changed(value[1])})
    return (*value, value[0]) if value else ("new",)


@pytest.mark.parametrize("view", _samples(), ids=lambda view: type(view).__name__)
def test_views_that_differ_in_any_shown_field_differ_as_keys(view):
    for each in fields(view):
        other = replace(view, **{each.name: _changed(getattr(view, each.name))})
        assert (key_of(other) != key_of(view)) is each.compare, each.name


def test_an_edit_changes_the_key_and_the_key_holds_no_text(session):
    author = make_user(session)
    space = make_space(session, host=author)
    post = make_post(session, author=author, space=space, title="First", body="First words")

    def head() -> CardHead:
        card = PostCard(post=post, space=space, author=author)
        return CardHead.of(card, "UTC", "now", "en", PersonView.of(author))

    before = head()
    update_post(session, user=author, post_id=post.id, title="Second", body="Second words")
    session.flush()
    after = head()
    assert after.body_html != before.body_html and key_of(after) != key_of(before)
    assert "words" not in repr(key_of(after)) and "Second" not in repr(key_of(after))


def test_the_store_keeps_within_its_bound_dropping_the_least_recently_used(monkeypatch):
    monkeypatch.setattr(fragments, "MAX_BYTES", 64 * 100)
    monkeypatch.setattr(fragments, "_cache", type(fragments._cache)())
    monkeypatch.setattr(fragments, "_held", 0)
    for n in range(10):
        fragments.fragment(("bound", n), lambda n=n: f"{n}" * 90)
    fragments.fragment(("bound", 3), lambda: "rendered again")  # used again: kept longest
    for n in range(10, 80):
        fragments.fragment(("bound", n), lambda n=n: f"{n % 10}" * 90)
    assert fragments._held <= fragments.MAX_BYTES
    assert ("bound", 0) not in fragments._cache and ("bound", 79) in fragments._cache
