import type { Step } from '../phase.js';
import { q } from '../quote.js';

/**
 * deploy:update_code, full: the payload on the session's stdin is the release's manifest (gzipped, `manifestBytes`
 * long), stored in `.deploy/manifests/`, then a gzipped tar of the whole build (`tarBytes`). `head -c` reads no
 * further, so the session stays in step with the runner.
 */
export function upload(opts: { manifestBytes: number; tarBytes: number; revision: string }): Step {
  return {
    id: 'upload',
    label: 'upload',
    body: `head -c ${opts.manifestBytes} > ".deploy/manifests/$DA_RELEASE.gz"
head -c ${opts.tarBytes} | tar -xzf - -C "releases/$DA_RELEASE" --no-same-owner
printf '%s\\n' ${q(opts.revision)} > "releases/$DA_RELEASE/REVISION"
echo "received ${opts.manifestBytes + opts.tarBytes} bytes into releases/$DA_RELEASE"`,
  };
}
