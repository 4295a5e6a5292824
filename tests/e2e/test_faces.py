"""Faces in a real browser: a person uploads a picture on the settings page and sees it beside
their name in the stream; a host gives their space a header image; pages fit a phone."""

import io

import pytest
from PIL import Image, ImageDraw
from playwright.sync_api import expect

from app.people.avatars import set_avatar
from app.people.service import create_user
from app.posts.service import create_post
from app.protocols.service import create_protocol
from app.spaces.access import access_for
from app.spaces.service import create_space
from tests.e2e.conftest import PASSWORD
from tests.e2e.faces_pages import PictureSettingsPage, SpaceSettingsPage, face_beside, loaded
from tests.e2e.pages import BasePage, LoginPage, has_horizontal_scroll

pytestmark = pytest.mark.browser

EMAIL = "frieda.face@example.com"
NAME = "Frieda Face"


def _portrait() -> bytes:
    """A small made-up portrait photo (a head and shoulders on a sky), as a phone's JPEG."""
    image = Image.new("RGB", (900, 1200), "#7fb3d5")
    draw = ImageDraw.Draw(image)
    draw.ellipse((250, 1000, 650, 1600), fill="#34495e")  # shoulders
    draw.ellipse((300, 350, 600, 700), fill="#f0c8a0")  # face
    draw.ellipse((290, 300, 610, 480), fill="#5d4037")  # hair
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=90)
    return out.getvalue()


def _banner() -> bytes:
    image = Image.new("RGB", (1600, 600), "#1e7b3a")
    draw = ImageDraw.Draw(image)
    for n in range(8):
        draw.ellipse((n * 220 - 60, 250 + (n % 3) * 60, n * 220 + 260, 900), fill="#2e9d55")
    draw.ellipse((1250, 60, 1400, 210), fill="#f7dc6f")
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def test_a_person_uploads_a_picture_and_sees_it_beside_their_name(new_context, server):
    with server.session() as session:
        frieda = create_user(session, email=EMAIL, display_name=NAME, password=PASSWORD)
        space = create_space(
            session, creator=frieda, name="Photo Walks", description="Pictures from lunch walks."
        )
        create_post(
            session,
            access=access_for(session, frieda, space),
            title="Morning light by the river",
            body="Who joins the walk on Thursday?",
        )
    page = new_context().new_page()
    LoginPage(page).open().sign_in(EMAIL, PASSWORD)
    page.wait_for_load_state()

    settings = PictureSettingsPage(page).open()
    expect(settings.picture).to_have_attribute("data-initials", "FF")  # the generated face
    settings.upload("notes.txt", b"not a picture at all", "text/plain")
    expect(settings.error).to_contain_text("This file is not a picture")

    settings.upload("frieda.jpg", _portrait(), "image/jpeg")

    expect(page.get_by_role("status")).to_have_text("Your new picture is saved.")
    assert loaded(page.locator("#picture img.face-l"))
    assert loaded(page.locator(".nav-me img.face"))
    settings.screenshot("faces-settings")

    page.goto("/spaces/photo-walks")
    card = page.locator(".post-card", has_text="Morning light by the river")
    face = face_beside(card, NAME)
    assert loaded(face)
    assert face.get_attribute("alt") == ""  # decorative: the name beside it says who it is
    expect(card.get_by_role("link", name=NAME)).to_be_visible()

    # The host gives the space a header image; the upload lands back on the space.
    SpaceSettingsPage(page, "photo-walks").open().upload_header("walk.png", _banner(), "image/png")
    expect(page).to_have_url(f"{server.url}/spaces/photo-walks")
    assert loaded(page.locator(".space-head img.space-banner"))
    assert loaded(face_beside(page.locator(".post-card").first, NAME))
    BasePage(page).arrived().screenshot("faces-space-desktop")

    phone = new_context(phone=True).new_page()
    LoginPage(phone).open().sign_in(EMAIL, PASSWORD)
    phone.wait_for_load_state()
    phone.goto("/spaces/photo-walks")
    assert loaded(phone.locator(".space-banner"))
    assert loaded(face_beside(phone.locator(".post-card").first, NAME))
    assert not has_horizontal_scroll(phone)
    BasePage(phone).arrived().screenshot("faces-space-phone")
    PictureSettingsPage(phone).open().screenshot("faces-settings-phone")
    assert not has_horizontal_scroll(phone)


def test_who_is_in_a_live_protocol_shows_with_faces(new_context, server):
    with server.session() as session:
        host = create_user(
            session, email="paul.presence@example.com", display_name="Paul Presence",
            password=PASSWORD,
        )  # fmt: skip
        space = create_space(session, creator=host, name="Presence Corner")
        protocol = create_protocol(
            session, access=access_for(session, host, space), title="Weekly sync"
        )
        set_avatar(session, user=host, raw=_portrait())
    page = new_context().new_page()
    LoginPage(page).open().sign_in("paul.presence@example.com", PASSWORD)
    page.wait_for_load_state()

    page.goto(f"/protocols/{protocol.id}")

    me = page.locator("#protocol-presence li", has_text="Paul Presence")
    expect(me).to_be_visible()
    assert loaded(me.locator("img.face"))
    assert me.locator("img.face").get_attribute("alt") == ""
