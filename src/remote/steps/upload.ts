import type { Step } from '../phase.js';
import { FILE_INDEX_LIB, TRANSFER_LIB } from '../libs.js';
import { q } from '../quote.js';
import { pruneArgs } from './prune.js';

/**
 * Receives the payload a deploy sends after the phase script: the gzipped tar in length-prefixed chunks
 * (`da_chunks`), unpacked into `dir` while the runner is still packing it, then the release's manifest (gzipped,
 * framed the same way), which the runner may still be hashing while the archive travels. Nothing past the payload
 * is read, so the session stays in step with the runner.
 */
export function receivePayload(dir: string): string {
  return `da_unpack ${dir}
da_chunks > ".deploy/manifests/$DA_RELEASE.gz"`;
}

/**
 * Reads the payload that receivePayload would unpack and store, and drops it: the session stays in step. One command
 * per line, so `set -e` ends the step when either part is cut short.
 */
export function skipPayload(): string {
  return 'da_chunks > /dev/null\nda_chunks > /dev/null';
}

/**
 * deploy:update_code, full: the whole build into the new release, then the release's file index (see
 * `da_index_write`), so the next deploy's verify reads only what changed. `skip`: paths the deploy replaces anyway.
 */
export function upload(opts: { revision: string; skip: string[] }): Step {
  return {
    id: 'upload',
    label: 'upload',
    brief: true,
    lib: [TRANSFER_LIB, FILE_INDEX_LIB],
    body: `${receivePayload('"releases/$DA_RELEASE"')}
printf '%s\\n' ${q(opts.revision)} > "releases/$DA_RELEASE/REVISION"
tmp="$PWD/$DA_TMP"; da_dir "$tmp"
sleep 0.02 # past the index's racy window, so every file just unpacked can be indexed
mark=$(da_mark_time "$tmp/mark")
(cd -- "releases/$DA_RELEASE" && da_list_files ${pruneArgs(opts.skip)} > "$tmp/files")
da_index_write "$tmp/files" "$mark" "$DA_RELEASE"`,
  };
}
