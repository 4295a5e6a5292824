"""Faces beside names: generated ones are readable and stable, pictures show wherever names
are listed, and neither costs a query per name."""

import re

import pytest

from app.core.config import PROJECT_ROOT
from app.images.faces import PALETTE, colour_index, face_svg, initials
from app.people.avatars import set_avatar
from tests.factories import make_comment, make_post, make_space, make_user
from tests.images.pictures import picture


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Ada Lovelace", "AL"),
        ("Ada King Lovelace", "AL"),
        ("ada", "A"),
        ("Jürgen Özdemir", "JÖ"),
        ("  ", "?"),
        ("Dr. (Bob) Smith", "DS"),
        ("— Ana", "A"),
    ],
)
def test_initials_are_the_first_and_last_words_letters(name, expected):
    assert initials(name) == expected


def _luminance(hex_colour: str) -> float:
    channels = [int(hex_colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


@pytest.mark.parametrize("colour", PALETTE)
def test_white_initials_are_readable_on_every_colour(colour):
    contrast = (1.0 + 0.05) / (_luminance(colour) + 0.05)
    assert contrast >= 4.5, (colour, round(contrast, 2))


def test_the_stylesheet_has_the_same_colours_as_the_generated_svg():
    css = (PROJECT_ROOT / "static" / "css" / "app.css").read_text()
    found = dict(re.findall(r"\.face-c(\d+) \{ background: (#[0-9a-f]{6}); \}", css))
    assert [found[str(i)] for i in range(len(PALETTE))] == list(PALETTE)


def test_a_persons_colour_is_stable_and_people_differ():
    assert colour_index(7) == colour_index(7)
    assert len({colour_index(i) for i in range(1, 40)}) > len(PALETTE) // 2


def test_the_svg_escapes_the_name():
    svg = face_svg("<script>", 3)
    assert "<script" not in svg and ">S</text>" in svg


def test_generated_faces_are_decorative_beside_the_name(session, login):
    ada = make_user(session, name="Ada Lovelace")
    space = make_space(session, host=ada)
    make_post(session, author=ada, space=space, title="Hello")
    page = login(ada).get(f"/spaces/{space.slug}").text
    assert re.search(
        r'<span class="face face-s face-c\d+" data-initials="AL" aria-hidden="true"></span>', page
    )


def test_pictures_show_beside_names_in_streams_comments_and_members(session, login):
    ada, bob = make_user(session, name="Ada Lovelace"), make_user(session, name="Bob")
    space = make_space(session, host=ada, members=(bob,))
    post = make_post(session, author=ada, space=space, title="Hello")
    make_comment(session, author=bob, post=post, body="Hi")
    set_avatar(session, user=ada, raw=picture())
    set_avatar(session, user=bob, raw=picture("PNG"))
    session.commit()
    client = login(bob)
    ada_face = f'src="/people/{ada.id}/avatar/64?v={ada.avatar_version}" alt=""'
    bob_face = f'src="/people/{bob.id}/avatar/64?v={bob.avatar_version}" alt=""'

    assert ada_face in client.get(f"/spaces/{space.slug}").text
    post_page = client.get(f"/posts/{post.id}").text
    assert ada_face in post_page and bob_face in post_page
    members = client.get(f"/spaces/{space.slug}/members").text
    assert ada_face in members and bob_face in members
    assert (
        f"/people/{ada.id}/avatar/256?v={ada.avatar_version}"
        in client.get(f"/people/{ada.id}").text
    )


def test_faces_cost_no_query_per_name(session, login, count_queries):
    host = make_user(session)
    authors = [make_user(session) for _ in range(6)]
    space = make_space(session, host=host, members=tuple(authors))
    for author in authors:
        make_post(session, author=author, space=space)
    session.commit()
    client = login(host)
    client.get(f"/spaces/{space.slug}")
    with count_queries() as without_pictures:
        client.get(f"/spaces/{space.slug}")

    for author in authors:
        set_avatar(session, user=author, raw=picture())
    session.commit()
    client.get(f"/spaces/{space.slug}")
    with count_queries() as with_pictures:
        page = client.get(f"/spaces/{space.slug}").text

    assert page.count("/avatar/64?v=") >= len(authors)
    assert len(with_pictures) == len(without_pictures)
