import type { Step } from '../phase.js';
import { q } from '../quote.js';

/**
 * deploy:update_code: the build arrives on the session's stdin as a gzipped tar of exactly `bytes` bytes, right
 * after the phase script. `head -c` reads no further, so the session stays in step with the runner.
 */
export function upload(opts: { bytes: number; revision: string }): Step {
  return {
    id: 'upload',
    label: 'upload',
    body: `head -c ${opts.bytes} | tar -xzf - -C "releases/$DA_RELEASE" --no-same-owner
printf '%s\\n' ${q(opts.revision)} > "releases/$DA_RELEASE/REVISION"
echo "received ${opts.bytes} bytes into releases/$DA_RELEASE"`,
  };
}
