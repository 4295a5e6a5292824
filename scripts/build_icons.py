"""Write static/vendor/lucide/icons.svg: the symbols app.web.icons.ICONS names, from lucide-static.

Usage: python -m scripts.build_icons PATH_TO_UNPACKED_LUCIDE_STATIC_PACKAGE (see scripts/vendor.sh).
"""

import re
import sys
from pathlib import Path

from app.web.icons import ICONS

OUT = Path(__file__).resolve().parent.parent / "static" / "vendor" / "lucide" / "icons.svg"
ATTRS = (
    'fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round" '
    'stroke-linejoin="round"'
)


def symbol(package: Path, name: str) -> str:
    source = (package / "icons" / f"{name}.svg").read_text()
    inner = re.search(r"<svg[^>]*>(.*)</svg>", source, re.S)
    if inner is None:
        raise SystemExit(f"{name}.svg has no <svg> element")
    shapes = " ".join(line.strip() for line in inner.group(1).splitlines() if line.strip())
    return f'<symbol id="{name}" viewBox="0 0 24 24" {ATTRS}>{shapes}</symbol>'


def main(package: Path) -> None:
    version = re.search(r'"version":\s*"([^"]+)"', (package / "package.json").read_text())
    header = f"<!-- lucide-static {version.group(1) if version else '?'}, ISC licence (LICENSE) -->"
    body = "\n".join(symbol(package, name) for name in sorted(ICONS))
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(f'{header}\n<svg xmlns="http://www.w3.org/2000/svg">\n{body}\n</svg>\n')
    print(f"wrote {OUT} ({len(ICONS)} icons)")


if __name__ == "__main__":
    main(Path(sys.argv[1]))
