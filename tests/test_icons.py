"""Icons come from the vendored sprite, never from an emoji font; every page has a favicon."""

import re

from app.core.config import PROJECT_ROOT
from app.recognition.badges import BUILTIN_BADGES
from app.web.icons import ICONS, SPRITE
from app.web.templates import STATIC_DIR, env
from tests.factories import make_user

TEMPLATES = PROJECT_ROOT / "templates"
# Pictographs and dingbats that need an emoji font (arrows and typographic marks are fine).
EMOJI = re.compile("[\u2600-\u27bf\u2b50\U0001f000-\U0001faff]")


def test_the_sprite_holds_every_icon_the_templates_name():
    sprite = (STATIC_DIR / SPRITE).read_text()
    assert set(re.findall(r'<symbol id="([\w-]+)"', sprite)) == set(ICONS)
    used = {
        name
        for path in TEMPLATES.rglob("*.html")
        for name in re.findall(r'icon\("([\w-]+)"', path.read_text())
    }
    assert used and used <= set(ICONS)
    assert (STATIC_DIR / "vendor/lucide/LICENSE").read_text().startswith("ISC License")


def test_templates_draw_no_emoji():
    found = [
        f"{path.relative_to(TEMPLATES)}: {match.group()}"
        for path in TEMPLATES.rglob("*.html")
        # The badge form suggests an emoji for an administrator's own badge; it is their choice.
        for match in EMOJI.finditer(path.read_text().replace('value="🏅"', ""))
    ]
    assert not found


def test_built_in_badges_are_drawn_as_symbols_and_custom_ones_keep_their_character():
    glyph = env.globals["badge_glyph"]
    for spec in BUILTIN_BADGES:
        assert "<svg" in glyph(spec.icon), spec.slug
    assert str(glyph("<b>")) == "&lt;b&gt;"


def test_an_icon_with_a_label_is_spoken_and_one_without_is_hidden():
    icon = env.globals["icon"]
    assert 'aria-hidden="true"' in icon("star")
    assert 'role="img" aria-label="Open &lt;menu&gt;"' in icon("menu", "Open <menu>")


def test_pages_name_the_favicon_and_the_old_address_leads_to_it(session, login):
    client = login(make_user(session))
    assert 'rel="icon" href="/static/favicon.svg?v=' in client.get("/").text
    response = client.get("/favicon.ico", follow_redirects=False)
    assert response.status_code == 301
    assert (
        client.get(response.headers["location"]).headers["content-type"].startswith("image/svg+xml")
    )
