import type { Step } from '../phase.js';
import { q } from '../quote.js';

/**
 * deploy:update_code, full: the payload on the session's stdin is the release's manifest (gzipped, `manifestBytes`
 * long), stored in `.deploy/manifests/`, then the gzipped tar of the whole build in length-prefixed chunks
 * (`da_chunks`), so the upload starts while the runner is still packing. Nothing past the payload is read, so the
 * session stays in step with the runner.
 */
export function upload(opts: { manifestBytes: number; revision: string }): Step {
  return {
    id: 'upload',
    label: 'upload',
    body: `head -c ${opts.manifestBytes} > ".deploy/manifests/$DA_RELEASE.gz"
da_unpack "releases/$DA_RELEASE"
printf '%s\\n' ${q(opts.revision)} > "releases/$DA_RELEASE/REVISION"`,
  };
}
