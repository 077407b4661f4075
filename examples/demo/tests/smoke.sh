#!/usr/bin/env bash
# Runs in CI before deploying; never shipped (deploy.yml excludes tests/).
set -euo pipefail
cd "$(dirname "$0")/.."
test -s VERSION
grep -q '<h1>' public/index.html
echo "smoke test passed"
