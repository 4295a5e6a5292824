#!/usr/bin/env bash
# Fetch pinned third-party browser files from the npm registry into static/vendor/.
# Each package is checked against its pinned SHA-256 before anything is copied.
# Running Agora needs none of this: the results are committed. Re-run only to upgrade.
set -euo pipefail
cd "$(dirname "$0")/.."

unpack() {  # name version sha256 -> prints a folder holding the checked package/
  local name=$1 version=$2 sum=$3
  local tmp; tmp=$(mktemp -d)
  (cd "$tmp" && npm pack --silent "$name@$version" >/dev/null)
  local tarball; tarball=$(ls "$tmp"/*.tgz)
  echo "$sum  $tarball" | sha256sum --check --quiet
  tar -xzf "$tarball" -C "$tmp"
  echo "$tmp"
}

fetch_into() {  # name version sha256 destination files...
  local name=$1 version=$2 sum=$3 dest=$4; shift 4
  local tmp; tmp=$(unpack "$name" "$version" "$sum")
  mkdir -p "$dest"
  for file in "$@"; do cp "$tmp/package/$file" "$dest/"; done
  printf '%s %s\nsha256 of the npm tarball: %s\n' "$name" "$version" "$sum" > "$dest/VERSION"
  rm -rf "$tmp"
}

fetch() {  # name version sha256 folder-under-static/vendor files...
  local name=$1 version=$2 sum=$3 dest=static/vendor/$4; shift 4
  fetch_into "$name" "$version" "$sum" "$dest" "$@"
}

fetch htmx.org 2.0.11 165a2655073e9e6e55e307a7c74e8ebcdb76afb7701f9c16cfd106a13add408e htmx dist/htmx.min.js LICENSE
# The htmx 2.x extension for server-sent events (live notifications, issue 17).
fetch htmx-ext-sse 2.2.4 90b46f5ab915ba2f64e6348448c8dba509277a47e15c125ffb65754eb4f6b5dc htmx-sse dist/sse.min.js LICENSE
fetch swagger-ui-dist 5.35.0 1b8e891893404ea4c3558b6a87e2a3e494e7eedba41168c2ece5800a391a6ea6 swagger-ui swagger-ui-bundle.js swagger-ui.css LICENSE

# Only the icons app/web/icons.py names go into the sprite (scripts/build_icons.py).
lucide_version=1.87.0
lucide_sum=6f3b4261f3471489ad24d24e742cae04c0f1826ff1e7542fc6845f76f9d57c35
fetch lucide-static "$lucide_version" "$lucide_sum" lucide LICENSE
lucide=$(unpack lucide-static "$lucide_version" "$lucide_sum")
python3 -m scripts.build_icons "$lucide/package"
rm -rf "$lucide"
# axe-core runs only inside the browser tests (tests/e2e/test_accessibility_axe.py).
fetch_into axe-core 4.11.0 39bed7d72308f6d620789c169d699bfd7e8da80f65b545821a6b2215c3e83107 tests/e2e/vendor/axe-core axe.min.js LICENSE
