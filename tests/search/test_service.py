"""Search on the real database engine: stemming, folding, operators, visibility, paging."""

from datetime import timedelta

import pytest
from sqlmodel import Session

from app.core.db import utcnow
from app.core.errors import NotFound
from app.moderation.service import flag_post
from app.people.service import set_active, update_profile
from app.posts.service import create_post, delete_comment, delete_post, update_post
from app.protocols.service import create_protocol
from app.search.service import SearchFilters, search
from app.spaces.access import access_for
from app.spaces.service import set_archived, update_space
from tests.events.factories import make_event
from tests.factories import make_comment, make_post, make_space, make_user


def _titles(session: Session, user, q: str, **filters) -> list[str]:  # type: ignore[no-untyped-def]
    page = search(session, user=user, text_query=q, filters=SearchFilters(**filters))
    return [hit.title for hit in page.items]


@pytest.fixture
def people(session: Session):  # type: ignore[no-untyped-def]
    host = make_user(session, name="Hanna Host")
    member = make_user(session, name="Max Member")
    outsider = make_user(session, name="Otto Outsider")
    return host, member, outsider


@pytest.mark.parametrize(
    ("text", "query"),
    [
        ("Das Protokoll der Sitzung", "Protokolle"),
        ("Die neuen Protokolle", "protokoll"),
        ("Notes from the meeting", "meetings"),
        ("Three meetings this week", "meeting"),
        ("Die Besprechung am Montag", "Besprechungen"),
        ("Lunch with Müller", "mueller"),
        ("Lunch with Mueller", "Müller"),
        ("Lunch with Müller", "muller"),
        ("Coffee at the café", "cafe"),
        ("Coffee at the cafe", "CAFÉ"),
        ("Quarterly planning", "quar"),  # the last word while typing is a prefix
    ],
)
def test_stemming_folding_and_prefix_in_both_languages(session, people, text, query):
    host, _member, _outsider = people
    space = make_space(session, host=host)
    make_post(session, author=host, space=space, title="Found", body=text)
    make_post(session, author=host, space=space, title="Other", body="Nothing to see here")
    assert _titles(session, host, query) == ["Found"]


def test_all_words_are_required_and_minus_excludes(session, people):
    host, _member, _outsider = people
    space = make_space(session, host=host)
    make_post(session, author=host, space=space, title="Both", body="budget review")
    make_post(session, author=host, space=space, title="Budget only", body="budget draft")
    assert _titles(session, host, "budget review ") == ["Both"]
    assert _titles(session, host, "budget -review ") == ["Budget only"]
    assert _titles(session, host, '"budget review"') == ["Both"]
    assert _titles(session, host, "-budget") == []


@pytest.mark.parametrize(
    "query",
    ['"', "*", "NEAR(", ":", "-", "AND", "OR NOT", "'", "a:*", "!", "(", ")", "\x00", "x" * 10_000],
)
def test_syntax_characters_are_only_text(session, people, query):
    host, _member, _outsider = people
    space = make_space(session, host=host)
    make_post(session, author=host, space=space, title="Post", body="text")
    search(session, user=host, text_query=query)  # no error


def test_a_private_or_secret_space_is_never_found_by_outsiders(session, people):
    host, member, outsider = people
    for visibility in ("private", "secret"):
        space = make_space(
            session, host=host, visibility=visibility, members=(member,), name=f"Zoo {visibility}"
        )
        post = make_post(session, author=host, space=space, title=f"Zebra {visibility}")
        make_comment(session, author=member, post=post, body=f"zebra comment {visibility}")
        create_protocol(
            session, access=access_for(session, host, space), title=f"Zebra minutes {visibility}"
        )
        make_event(session, host=host, space=space, title=f"Zebra event {visibility}")
        session.commit()
    assert _titles(session, outsider, "zebra") == []
    found = _titles(session, member, "zebra")
    assert len(found) == 2 * 5  # post, comment, protocol, event and its discussion post
    # A secret space itself is not even found by name; a private one is (it is listed).
    assert _titles(session, outsider, "zoo") == ["Zoo private"]
    assert _titles(session, member, "zoo") == ["Zoo secret", "Zoo private"]


def test_hidden_deleted_scheduled_content_is_not_found(session, people):
    host, member, _outsider = people
    space = make_space(session, host=host, members=(member,))
    gone = make_post(session, author=host, space=space, title="Walrus deleted")
    delete_post(session, user=host, post_id=gone.id)  # type: ignore[arg-type]
    post = make_post(session, author=host, space=space, title="Walrus visible")
    comment = make_comment(session, author=member, post=post, body="walrus comment")
    delete_comment(session, user=member, comment_id=comment.id)  # type: ignore[arg-type]
    create_post(
        session,
        access=access_for(session, host, space),
        title="Walrus scheduled",
        body="later",
        published_at=utcnow() + timedelta(days=1),
    )
    hidden = make_post(session, author=member, space=space, title="Walrus hidden")
    for n in range(3):
        flagger = make_user(session)
        flag_post(session, user=flagger, post_id=hidden.id, reason=f"spam {n}")  # type: ignore[arg-type]
    session.commit()
    assert _titles(session, member, "walrus") == ["Walrus visible"]


def test_edits_reach_the_index_at_once(session, people):
    host, _member, _outsider = people
    space = make_space(session, host=host)
    post = make_post(session, author=host, space=space, title="Giraffe", body="old words")
    update_post(session, user=host, post_id=post.id, body="fresh vocabulary")  # type: ignore[arg-type]
    assert _titles(session, host, "vocabulary") == ["Giraffe"]
    assert _titles(session, host, "old words") == []


def test_spaces_and_people(session, people):
    host, member, outsider = people
    public = make_space(session, host=host, name="Photography Club")
    make_space(session, host=host, name="Photography Secret", visibility="secret")
    assert _titles(session, outsider, "photography") == ["Photography Club"]
    update_space(
        session,
        access=access_for(session, host, public),
        name="Photography Circle",
        description="",
        visibility="public",
        join_policy="open",
    )
    set_archived(session, access=access_for(session, host, public), archived=True)
    assert _titles(session, outsider, "circle") == ["Photography Circle"]
    update_profile(
        session,
        user=member,
        display_name="Max Member",
        title="Engineer",
        department="Vertrieb",
        locale="de",
        time_zone="Europe/Berlin",
    )
    assert _titles(session, outsider, "vertrieb") == ["Max Member"]
    set_active(session, user=member, active=False, actor=host)
    assert _titles(session, outsider, "vertrieb") == []


def test_keyset_pages_and_filters(session, people):
    host, member, outsider = people
    space = make_space(session, host=host, name="Ants")
    other = make_space(session, host=member, name="Bees")
    for n in range(5):
        make_post(session, author=host, space=space, title=f"Nectar {n}")
    make_post(session, author=member, space=other, title="Nectar elsewhere")
    first = search(session, user=outsider, text_query="nectar", limit=4)
    assert len(first.items) == 4 and first.next_cursor
    second = search(
        session,
        user=outsider,
        text_query="nectar",
        limit=4,
        cursor=first.next_cursor,
    )
    assert second.next_cursor is None
    titles = [h.title for h in first.items + second.items]
    # Equally relevant titles newest first; the longer title weighs the word less.
    assert titles == [
        "Nectar 4",
        "Nectar 3",
        "Nectar 2",
        "Nectar 1",
        "Nectar 0",
        "Nectar elsewhere",
    ]
    assert _titles(session, outsider, "nectar", space_slug=other.slug) == ["Nectar elsewhere"]
    assert _titles(session, outsider, "nectar", author_handle=member.handle) == ["Nectar elsewhere"]
    secret = make_space(session, host=host, visibility="secret")
    with pytest.raises(NotFound):
        search(
            session, user=outsider, text_query="x", filters=SearchFilters(space_slug=secret.slug)
        )


def test_snippets_mark_matches_and_hits_link_to_their_place(session, people):
    host, member, _outsider = people
    space = make_space(session, host=host, members=(member,))
    post = make_post(session, author=host, space=space, title="Walk", body="intro " * 80 + "heron")
    comment = make_comment(session, author=member, post=post, body="A heron again")
    hits = search(session, user=host, text_query="heron").items
    assert [h.url for h in hits] == [f"/posts/{post.id}#comment-{comment.id}", f"/posts/{post.id}"]
    assert "\ue000heron\ue001" in hits[1].snippet
    assert hits[1].snippet.startswith("… ")
    assert hits[0].author_name == "Max Member" and hits[0].space_slug == space.slug


def test_quoted_phrases_are_exact_in_order(session, people):
    host, _member, _outsider = people
    space = make_space(session, host=host)
    make_post(
        session, author=host, space=space, title="Together", body="Die neuen Protokolle sind da"
    )
    make_post(session, author=host, space=space, title="Apart", body="Protokolle, aber neuen Stil")
    post = make_post(session, author=host, space=space, title="Neue Protokolle", body="Title only")
    make_comment(session, author=host, post=post, body="Nothing of that here, protokolle neue")
    # Words in any of their forms, side by side and in order; a comment by its own words only.
    assert _titles(session, host, '"neue Protokoll"') == ["Neue Protokolle", "Together"]
    assert sorted(_titles(session, host, "neue protokoll ")) == [
        "Apart",
        "Neue Protokolle",
        "Neue Protokolle",
        "Together",
    ]
    assert _titles(session, host, '"neue Protokoll" -stil') == ["Neue Protokolle", "Together"]
    assert _titles(session, host, '"da sind"') == []
