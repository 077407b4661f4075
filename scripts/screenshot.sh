#!/usr/bin/env bash
# docs/summary.png: a screenshot of one job summary page written by `npm run preview` (default: the failed health
# check of a real run, which the rendered-summary test writes), made with Chromium headless (Debian: apt-get install
# chromium). Usage: bash scripts/screenshot.sh [kind] [output.png]
set -euo pipefail
cd "$(dirname "$0")/.."
kind=${1:-failed-health-check}
out=${2:-docs/summary.png}
npm run --silent preview
page=.tmp/preview/$kind.html
[ -f "$page" ] || { echo "no $page: run npx jest __tests__/e2e/summary-rendered.test.ts first" >&2; exit 1; }
profile=$(mktemp -d)
trap 'rm -rf -- "$profile"' EXIT
chromium --headless --no-sandbox --disable-gpu --no-first-run --disable-background-networking \
  --disable-component-update --disable-sync --user-data-dir="$profile" --hide-scrollbars \
  --window-size=1000,1400 --screenshot="$PWD/$out" "file://$PWD/$page"
echo "wrote $out ($(wc -c < "$out") bytes)"
