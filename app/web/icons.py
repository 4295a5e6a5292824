"""Icons: symbols of a vendored Lucide sprite (static/vendor/lucide/), never emoji.

Emoji need a colour font that servers and many office desktops lack (they show empty boxes) and
look different on every platform. An icon is decoration: the text beside it, or a label for
screen readers, carries the meaning.
"""

from markupsafe import Markup

SPRITE = "vendor/lucide/icons.svg"

# Every symbol the templates use; scripts/build_icons.py copies exactly these into the sprite.
ICONS = (
    "award", "check", "circle", "circle-check", "circle-help", "flame", "gift", "hand",
    "hand-heart", "heart-handshake", "history", "lightbulb", "menu", "message-circle", "monitor",
    "moon", "network", "notebook-pen", "party-popper", "pencil", "settings", "sprout", "square",
    "square-check", "star", "sun", "thumbs-up", "users", "x", "ellipsis",
)  # fmt: skip

# The built-in badges store an emoji (shown as-is by the API); pages draw the matching symbol.
BADGE_SYMBOLS = {
    "★": "star", "🌱": "sprout", "📝": "pencil", "💬": "message-circle", "🙌": "hand-heart",
    "👋": "hand", "🔥": "flame", "❓": "circle-help", "🌉": "network", "🎁": "gift",
    "🗒️": "notebook-pen", "🤝": "heart-handshake", "🏅": "award",
}  # fmt: skip


def icon(name: str, label: str | None = None, *, sprite_url: str) -> Markup:
    """An inline SVG that draws one symbol; hidden from screen readers unless it has a label."""
    if name not in ICONS:
        raise ValueError(
            f"unknown icon {name!r}: add it to app.web.icons.ICONS and run make vendor"
        )
    spoken = (
        Markup(' role="img" aria-label="{}"').format(label)
        if label
        else Markup(' aria-hidden="true"')
    )
    return Markup(
        '<svg class="icon icon-{name}" width="1em" height="1em" focusable="false"{spoken}>'
        '<use href="{url}#{name}"></use></svg>'
    ).format(name=name, spoken=spoken, url=sprite_url)


def badge_glyph(emoji: str, *, sprite_url: str) -> Markup:
    """A badge's picture: the symbol for a built-in badge's emoji; an administrator's own
    badge keeps the character they chose."""
    symbol = BADGE_SYMBOLS.get(emoji)
    return icon(symbol, sprite_url=sprite_url) if symbol else Markup("{}").format(emoji)
