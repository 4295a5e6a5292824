#!/usr/bin/env bash
# Fetch pinned third-party browser files from the npm registry into static/vendor/.
# Each package is checked against its pinned SHA-256 before anything is copied.
# Running Agora needs none of this: the results are committed. Re-run only to upgrade.
set -euo pipefail
cd "$(dirname "$0")/.."

fetch() {  # name version sha256 folder files...
  local name=$1 version=$2 sum=$3 dest=static/vendor/$4; shift 4
  local tmp; tmp=$(mktemp -d)
  (cd "$tmp" && npm pack --silent "$name@$version" >/dev/null)
  local tarball; tarball=$(ls "$tmp"/*.tgz)
  echo "$sum  $tarball" | sha256sum --check --quiet
  tar -xzf "$tarball" -C "$tmp"
  mkdir -p "$dest"
  for file in "$@"; do cp "$tmp/package/$file" "$dest/"; done
  printf '%s %s\nsha256 of the npm tarball: %s\n' "$name" "$version" "$sum" > "$dest/VERSION"
  rm -rf "$tmp"
}

fetch htmx.org 2.0.11 165a2655073e9e6e55e307a7c74e8ebcdb76afb7701f9c16cfd106a13add408e htmx dist/htmx.min.js LICENSE
# The htmx 2.x extension for server-sent events (live notifications, issue 17).
fetch htmx-ext-sse 2.2.4 90b46f5ab915ba2f64e6348448c8dba509277a47e15c125ffb65754eb4f6b5dc htmx-sse dist/sse.min.js LICENSE
fetch swagger-ui-dist 5.35.0 1b8e891893404ea4c3558b6a87e2a3e494e7eedba41168c2ece5800a391a6ea6 swagger-ui swagger-ui-bundle.js swagger-ui.css LICENSE
