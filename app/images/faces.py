"""Generated faces: a person's initials on a colour derived from them, for everyone without a
picture, so no page shows an empty circle."""

import zlib

from markupsafe import Markup, escape

# Each is dark enough for white initials to reach WCAG AA (4.5:1) on it; tests check the ratio.
PALETTE = (
    "#1f5fbf",
    "#b02a37",
    "#1e7b3a",
    "#7a3fb0",
    "#a34d00",
    "#0b6e74",
    "#9c2f76",
    "#4a5a6a",
    "#5b6b00",
    "#3949ab",
    "#8d3b2b",
    "#00695c",
)


def initials(name: str) -> str:
    """Up to two letters: of the first and the last word ("Ada King Lovelace" -> "AL")."""
    words = [word for word in name.split() if any(ch.isalnum() for ch in word)]
    if not words:
        return "?"
    first = next(ch for ch in words[0] if ch.isalnum())
    if len(words) == 1:
        return first.upper()
    last = next(ch for ch in words[-1] if ch.isalnum())
    return (first + last).upper()


def colour_index(person_id: int | None) -> int:
    """The same person always gets the same colour, whatever their name becomes."""
    return zlib.crc32(str(person_id or 0).encode()) % len(PALETTE)


def face_svg(name: str, person_id: int | None) -> str:
    """A standalone SVG of the generated face, for places that need a URL (live presence)."""
    colour = PALETTE[colour_index(person_id)]
    letters = escape(initials(name))
    return str(
        Markup(
            '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 64 64" width="64" height="64">'
            '<rect width="64" height="64" fill="{colour}"/>'
            '<text x="32" y="32" dy=".35em" text-anchor="middle" fill="#fff" '
            'font-family="system-ui, sans-serif" font-size="26" font-weight="600">{letters}</text>'
            "</svg>"
        ).format(colour=colour, letters=letters)
    )
