#!/usr/bin/env bash
# Build the protocol editor bundle (Yjs, y-websocket, CodeMirror 6 + y-codemirror.next) from the
# npm packages pinned in scripts/editor/package.json and, with everything they pull in, in
# scripts/editor/package-lock.json (with checksums), into static/vendor/protocol-editor/.
# The result is committed: running Agora needs no Node.js. Re-run only to upgrade (make vendor-editor).
set -euo pipefail
cd "$(dirname "$0")/.."
out=static/vendor/protocol-editor
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cp scripts/editor/package.json scripts/editor/package-lock.json scripts/editor/entry.js "$tmp/"
(cd "$tmp" && npm ci --no-audit --no-fund --ignore-scripts --silent)
mkdir -p "$out"
# esbuild's own binary arrives as the optional @esbuild/<platform> package, so install scripts stay off.
"$tmp/node_modules/.bin/esbuild" "$tmp/entry.js" --bundle --minify --format=iife --target=es2020 \
  --legal-comments=none --outfile="$out/protocol-editor.js"
{
  echo "Agora protocol editor bundle, built by scripts/build_editor.sh with esbuild."
  echo "Packages (name version), as installed:"
  (cd "$tmp" && for pkg in $(node -e 'const d=require("./package.json").dependencies;console.log(Object.keys(d).join(" "))') \
      $(cd node_modules && ls -d @lezer/* @marijn/* crelt style-mod w3c-keyname isomorphic.js 2>/dev/null); do
    node -e "const p=require('./node_modules/$pkg/package.json');console.log(p.name+' '+p.version+' '+(p.license||''))"
  done)
} > "$out/VERSION"
{
  echo "Licences of the packages bundled into protocol-editor.js"
  for dir in "$tmp"/node_modules/* "$tmp"/node_modules/@*/*; do
    [ -f "$dir/package.json" ] || continue
    case "$dir" in *"/@esbuild"*|*"/esbuild") continue;; esac
    lic=$(ls "$dir" | grep -iE '^(licen[cs]e|copying)' | head -1 || true)
    echo
    echo "==== $(node -e "const p=require('$dir/package.json');console.log(p.name+' '+p.version)") ===="
    if [ -n "$lic" ]; then cat "$dir/$lic"; else node -e "console.log('License: '+require('$dir/package.json').license)"; fi
  done
} > "$out/LICENSES.txt"
echo "built $out/protocol-editor.js ($(wc -c < "$out/protocol-editor.js") bytes)"
