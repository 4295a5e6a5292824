"""Light, dark or the device's theme: chosen in Settings, stored per person, on every page."""

import pytest

from app.core.errors import Invalid
from app.people import service
from tests.factories import make_user


def _profile(user, **changes):  # type: ignore[no-untyped-def]
    form = {
        "display_name": user.display_name,
        "title": "",
        "department": "",
        "locale": "en",
        "time_zone": "Europe/Berlin",
    }
    return {**form, **changes}


def test_a_new_person_follows_the_device(session, login):
    user = make_user(session)
    assert user.theme == "system"
    page = login(user).get("/settings").text
    assert "data-theme" not in page.split("<head>")[0]
    assert 'name="theme" value="system" checked' in page


def test_the_chosen_theme_marks_every_page(session, login):
    user = make_user(session)
    client = login(user)
    response = client.form("/settings", _profile(user, theme="dark"))
    assert response.status_code == 303
    assert '<html lang="en" data-theme="dark">' in client.get("/").text
    assert 'name="theme" value="dark" checked' in client.get("/settings").text
    client.form("/settings", _profile(user, theme="system"))
    assert "data-theme" not in client.get("/").text.split("<head>")[0]


def test_an_unknown_theme_is_refused_and_nothing_is_saved(session, login):
    user = make_user(session)
    client = login(user)
    response = client.form("/settings", _profile(user, theme="neon", display_name="Renamed"))
    assert response.status_code == 422
    assert "Choose light, dark or the device" in response.text
    assert 'aria-invalid="true"' in response.text
    session.refresh(user)
    assert (user.theme, user.display_name) != ("neon", "Renamed")
    assert user.theme == "system"


def test_the_service_keeps_the_theme_when_none_is_given(session):
    user = make_user(session)
    service.update_profile(session, user=user, **_profile(user, theme="light"))
    service.update_profile(session, user=user, **_profile(user))
    assert user.theme == "light"
    with pytest.raises(Invalid):
        service.update_profile(session, user=user, **_profile(user, theme="Dark"))
