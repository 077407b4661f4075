#!/usr/bin/env bash
# Tags a release: scripts/release.sh X.Y.Z
#
# Checks that the working tree is clean, that dist/ is exactly what src/ builds to, and that CHANGELOG.md has a
# section for X.Y.Z; then tags vX.Y.Z (annotated) at HEAD and moves the major tag vX to it (users pin
# org/deploy-action@vX). Pushes nothing: it prints the push commands to run.
set -euo pipefail
cd "$(dirname "$0")/.."

version="${1:-}"
if ! [[ "$version" =~ ^(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)$ ]]; then
  echo "usage: scripts/release.sh X.Y.Z   (e.g. 1.2.0)" >&2
  exit 2
fi
major="v${version%%.*}"
tag="v$version"

if [ -n "$(git status --porcelain)" ]; then
  echo "the working tree is not clean; commit or stash first:" >&2
  git status --short >&2
  exit 1
fi
if git rev-parse -q --verify "refs/tags/$tag" >/dev/null; then
  echo "tag $tag already exists (at $(git rev-parse --short "$tag^{commit}")); versions are never re-tagged" >&2
  exit 1
fi
if ! grep -Eq "^## \[$(printf '%s' "$version" | sed 's/\./\\./g')\]" CHANGELOG.md; then
  echo "CHANGELOG.md has no '## [$version]' section; move the Unreleased entries under it first" >&2
  exit 1
fi

# dist/ must be what src/ builds to: the runner executes dist/, not src/.
if [ "${RELEASE_SKIP_BUILD:-}" != 1 ]; then
  npm run build >/dev/null
  if [ -n "$(git status --porcelain -- dist/)" ]; then
    echo "dist/ is out of date with src/; the rebuilt dist/ is now in the working tree: commit it, then run this again:" >&2
    git status --short -- dist/ >&2
    exit 1
  fi
fi

git tag -a "$tag" -m "deploy-action $tag"
git tag -f -a "$major" -m "deploy-action $major (currently $tag)" "$tag^{commit}" >/dev/null
echo "tagged $tag and moved $major to $(git rev-parse --short "$tag^{commit}")"
echo "to publish:"
echo "  git push origin $tag"
echo "  git push --force origin $major"
