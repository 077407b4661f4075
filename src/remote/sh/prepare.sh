# deploy:prepare (see steps/prepare.ts): the layout exists and none of its own directories is a symlink.
# shellcheck shell=bash
da_dir "$DA_DEPLOY_PATH"
cd -- "$DA_DEPLOY_PATH" || exit
if [ -e current ] && [ ! -L current ]; then
  echo "error: $DA_DEPLOY_PATH/current exists and is not a symlink (an older layout?)." >&2
  echo "Move it into releases/ and replace it with a symlink, or choose another deploy_path. Nothing was changed." >&2
  exit 1
fi
# Releases and metadata live in real directories of the deploy path: a planted link would carry every later write
# (manifests, pending records, the lock, trash) outside it. shared/ may be a link (a shared volume, documented).
for d in releases .deploy .deploy/pending .deploy/manifests .deploy/lock; do
  if [ -L "$d" ]; then
    echo "error: $DA_DEPLOY_PATH/$d is a symlink (to $(readlink -- "$d")): deploy-action keeps releases and its metadata only in real directories inside deploy_path." >&2
    echo "Replace it with a directory (move what it holds), or choose another deploy_path. Nothing was changed." >&2
    exit 1
  fi
done
{ [ -d releases ] && [ -d shared ] && [ -d .deploy/pending ] && [ -d .deploy/manifests ]; } || mkdir -p releases shared .deploy/pending .deploy/manifests
