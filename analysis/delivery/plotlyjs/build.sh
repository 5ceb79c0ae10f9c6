#!/usr/bin/env bash
# Rebuild plotly-dealtree.min.js, the plotly.js that dealtree's reports embed:
# plotly.js's own modules (lib/core plus the trace types in entry.js), bundled
# and minified by esbuild as one script that defines the global `Plotly`.
#
# Needs node and npm (only to regenerate: the built file is committed). Keep
# plotly.js at the version plotly.py embeds:
#   .venv/bin/python -c 'from plotly.offline import get_plotlyjs_version as v; print(v())'
set -euo pipefail
cd "$(dirname "$0")"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cp package.json entry.js "$work/"
(cd "$work" && npm install --no-audit --no-fund --ignore-scripts --silent)
version=$(node -p "require('$work/node_modules/plotly.js/package.json').version")
"$work/node_modules/.bin/esbuild" "$work/entry.js" --bundle --minify --format=iife \
  --global-name=Plotly --define:global=window --legal-comments=none --log-level=warning --outfile="$work/out.js"
{ printf '/* plotly.js v%s (MIT license, Plotly, Inc.): lib/core, bar, heatmap, sunburst, icicle; built by analysis/delivery/plotlyjs/build.sh */\n' "$version"
  cat "$work/out.js"; } > plotly-dealtree.min.js
ls -l plotly-dealtree.min.js
