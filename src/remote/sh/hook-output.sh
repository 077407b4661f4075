# $DEPLOY_OUTPUT for a hook step (see src/remote/steps/hook-output.ts, which names the data key and reads it): a
# fresh empty file, mode 0600, in this run's scratch dir (which unlock and the abort path remove), where the hook
# may write name=value lines, as it would to $GITHUB_OUTPUT.
# shellcheck shell=bash
da_output_open() {
  da_dir "$DA_TMP"
  DEPLOY_OUTPUT="$PWD/$DA_TMP/output.$1"
  if [ -e "$DEPLOY_OUTPUT" ] || [ -L "$DEPLOY_OUTPUT" ]; then rm -f -- "$DEPLOY_OUTPUT"; fi
  # noclobber: created here and now (O_EXCL), never a file or link left in its place.
  (umask 077 && set -C && : > "$DEPLOY_OUTPUT")
  export DEPLOY_OUTPUT
}
# After the hook: with a step id (the hook succeeded), what it wrote goes back as data `output.<step id>`, at most
# 32 KiB and one byte (the byte more tells the runner there was more), read only from a plain file (not what a hook
# put in its place); then the file goes.
da_output_close() {
  if [ -n "${1:-}" ] && [ -f "$DEPLOY_OUTPUT" ] && [ ! -L "$DEPLOY_OUTPUT" ] && [ -s "$DEPLOY_OUTPUT" ]; then
    head -c 32769 -- "$DEPLOY_OUTPUT" | da_blob "output.$1"
  fi
  rm -f -- "$DEPLOY_OUTPUT"
}
