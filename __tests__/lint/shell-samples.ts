/**
 * Every step of src/remote/steps/*.ts (and the path check), rendered with realistic options, and the shell texts
 * the session sends besides: what the shellcheck test lints.
 */
import { contain, PRUNE_FUNCTION } from '../../src/remote/contain.js';
import { FENCE_CHECK } from '../../src/remote/fence.js';
import { FILE_INDEX_LIB, TRANSFER_LIB } from '../../src/remote/libs.js';
import type { Step } from '../../src/remote/phase.js';
import { cleanup } from '../../src/remote/steps/cleanup.js';
import { clearPaths } from '../../src/remote/steps/clear-paths.js';
import { copyLive } from '../../src/remote/steps/copy-live.js';
import { baseManifest, delta, resetRelease, verify } from '../../src/remote/steps/delta.js';
import { doctor } from '../../src/remote/steps/doctor.js';
import { execStep } from '../../src/remote/steps/exec.js';
import { files } from '../../src/remote/steps/files.js';
import { commandHealthcheck } from '../../src/remote/steps/healthcheck.js';
import { logHistory } from '../../src/remote/steps/history.js';
import { HOOK_OUTPUT_LIB } from '../../src/remote/steps/hook-output.js';
import { hookSteps, IN_CURRENT, IN_RELEASE } from '../../src/remote/steps/hooks.js';
import { inspect } from '../../src/remote/steps/inspect.js';
import { lock, unlock } from '../../src/remote/steps/lock.js';
import {
  maintenanceLeft,
  maintenanceOff,
  maintenanceOn,
  maintenanceReady,
} from '../../src/remote/steps/maintenance.js';
import { prepare } from '../../src/remote/steps/prepare.js';
import { release } from '../../src/remote/steps/release.js';
import { revert } from '../../src/remote/steps/revert.js';
import { shared } from '../../src/remote/steps/shared.js';
import { symlink } from '../../src/remote/steps/symlink.js';
import { unlockAny } from '../../src/remote/steps/unlock-any.js';
import { upload } from '../../src/remote/steps/upload.js';
import { writable, type WritableMode } from '../../src/remote/steps/writable.js';

const env = { APP_ENV: 'production', DEPLOY_RELEASE: '20260101120000', DEPLOY_REVISION: "abc'def" };
const skip = ['storage', 'public/uploads', '.env'];

/** [name, step] for every step variant. */
export function sampleSteps(): [string, Step][] {
  const steps: [string, Step | null][] = [
    ['prepare', prepare()],
    ['inspect', inspect({ detectHttpUser: false })],
    ['inspect (http user, offer)', inspect({ detectHttpUser: true, offerBaseFrom: 5 })],
    ['doctor', doctor({ acl: false, sudo: false })],
    ['doctor (acl, sudo, http user)', doctor({ acl: true, sudo: true, httpUser: "www-data'x" })],
    ['lock', lock('"repository":"o/r","run_id":"1","actor":"me"')],
    ['lock (at a hold)', lock('"repository":"o/r","run_id":"1","actor":"me"', { reclaim: true })],
    ['unlock', unlock()],
    ['unlock-any', unlockAny({ force: false, by: 'o/r run 2', url: 'https://github.com/o/r/actions/runs/2' })],
    ['unlock-any (forced)', unlockAny({ force: true, by: 'cli', url: '' })],
    ['release', release()],
    [
      'files',
      files({
        files: [
          {
            path: '.env',
            release: false,
            mode: '0600',
            from: '${A}',
            content: "A='x'\n$(b)\n",
            sha256: 'f'.repeat(64),
          },
          { path: 'config/c.json', release: true, mode: '0640', from: '${C}', content: '{}', sha256: '0'.repeat(64) },
        ],
        required: ['.env.local'],
      }),
    ],
    ['files (required only)', files({ files: [], required: ['.env'] })],
    ['upload', upload({ revision: 'abc123', skip })],
    ['upload (no skip)', upload({ revision: 'abc123', skip: [] })],
    [
      'delta (copy)',
      delta({ skip, removeB64: 'YQBiAA==', revision: 'abc', files: { sent: 3, unchanged: 9 }, base: 'copy' }),
    ],
    [
      'delta (recycle)',
      delta({ skip: [], removeB64: '', revision: 'abc', files: { sent: 3, unchanged: 9 }, base: 'recycle' }),
    ],
    ['base', baseManifest({ live: true })],
    ['base (no live)', baseManifest({ live: false })],
    ['verify', verify({ skip })],
    ['verify (no skip)', verify({ skip: [] })],
    ['reset', resetRelease()],
    ['copy-live', copyLive()],
    [
      'contain',
      contain({
        sharedDirs: ['storage', 'public/uploads'],
        sharedFiles: ['.env'],
        writableDirs: ['storage/logs', 'bootstrap/cache'],
        clearPaths: ['tests', 'public/uploads/tmp'],
      }),
    ],
    ['shared', shared({ dirs: ['storage', 'public/uploads'], files: ['.env', 'config/app.ini'] })],
    ['clear-paths', clearPaths({ paths: ['tests', 'docs dir'], useSudo: false })],
    ['clear-paths (sudo)', clearPaths({ paths: ['tests'], useSudo: true })],
    ['exec', execStep('php artisan queue:restart', env, 600000, false)],
    ['exec (locked)', execStep("printf '%s\\n' 'a b' && exit 3", {}, 30000, true)],
    ['symlink', symlink('releases/20251231120000')],
    ['symlink (nothing live)', symlink('')],
    ['revert', revert()],
    ['history', logHistory({ event: 'deploy', release: '20260101120000', sha: 'abc' })],
    ['history (empty)', logHistory({})],
    ['cleanup', cleanup(['20250101120000', '20250102120000'])],
    ['cleanup (nothing)', cleanup([])],
    [
      'healthcheck',
      commandHealthcheck({
        command: 'curl -fsS http://localhost/health',
        env,
        timeoutMs: 5000,
        retries: 2,
        intervalMs: 1500,
      }),
    ],
  ];
  for (const mode of ['acl', 'chmod', 'chown', 'chgrp'] as WritableMode[]) {
    for (const useSudo of [false, true]) {
      for (const recursive of [false, true]) {
        steps.push([
          `writable (${mode}${useSudo ? ', sudo' : ''}${recursive ? ', recursive' : ''})`,
          writable({
            dirs: ['storage', 'bootstrap/cache'],
            mode,
            useSudo,
            recursive,
            chmodMode: '0775',
            httpUser: 'www-data',
            httpGroup: 'www-data',
          }),
        ]);
      }
    }
  }
  steps.push(
    ['maintenance on (deploy)', maintenanceOn('deploy')],
    ['maintenance on (manual)', maintenanceOn('manual')],
    ['maintenance off (deploy)', maintenanceOff('deploy')],
    ['maintenance off (manual)', maintenanceOff('manual')],
    ['maintenance left', maintenanceLeft()],
    ['maintenance ready', maintenanceReady()],
  );
  for (const s of hookSteps([{ run: 'php artisan migrate --force' }], env, IN_RELEASE, 600000))
    steps.push([`hook ${s.id}`, s]);
  for (const s of hookSteps([{ run: 'sudo systemctl reload php-fpm' }], {}, IN_CURRENT, 30000))
    steps.push([`activate ${s.id}`, s]);
  return steps.filter((s): s is [string, Step] => s[1] !== null);
}

/** The shell functions sent with phases (besides the prelude). */
export function sampleLibs(): [string, string][] {
  return [
    ['fence', FENCE_CHECK],
    ['transfer', TRANSFER_LIB],
    ['file index', FILE_INDEX_LIB],
    ['prune', PRUNE_FUNCTION],
    ['hook output', HOOK_OUTPUT_LIB],
  ];
}
