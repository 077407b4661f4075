/**
 * Job summaries of every kind, from RunReports built here as the commands fill them (the kinds whose claims are
 * not about a host's state; those come from real runs in __tests__/e2e/summary-rendered.test.ts). Shared by that
 * test and `npm run preview`.
 */
import { heading, list, paragraph, table } from '../../src/report/document.js';
import { RunReport } from '../../src/report/report.js';

const HOSTS = ['deploy@web1.example.com', 'deploy@web2.example.com', 'deploy@web3.example.com'];
const RELEASE = '20261206-141503';
const PREVIOUS = '20261205-093012';

function report(command: string, hosts = HOSTS): RunReport {
  const r = new RunReport(command, 'production', 'shop');
  r.begin(hosts, false);
  r.sha = '0123456789abcdef0123456789abcdef01234567';
  r.url = 'https://shop.example.com';
  r.links = {
    server: 'https://github.com',
    repository: 'acme/shop',
    runUrl: 'https://github.com/acme/shop/actions/runs/42',
  };
  r.finishedMs = 8420;
  return r;
}

const DEPLOY_STEPS: [string, string, number][] = [
  ['prepare', 'prepare', 40],
  ['lock', 'lock', 12],
  ['inspect', 'inspect', 90],
  ['release', 'release', 8],
  ['upload', 'upload', 1830],
  ['shared', 'shared', 25],
  ['writable', 'writable', 31],
  ['hook-1', 'chmod 644 public/*.css public/*.js', 18],
  ['hook-2', 'php artisan migrate --force', 2410],
  ['symlink', 'symlink', 6],
  ['log', 'history', 4],
  ['cleanup', 'cleanup', 120],
  ['unlock', 'unlock', 5],
];

/** A fleet of three rolled out all at once, finishing in another order than the config's. */
function fleetSuccess(): RunReport {
  const r = report('deploy');
  r.release = RELEASE;
  r.previous = PREVIOUS;
  r.step('runner', { id: 'build', label: 'build', status: 'ok', ms: 3100 });
  for (const host of [...HOSTS].reverse()) {
    for (const [id, label, ms] of DEPLOY_STEPS) r.step(host, { id, label, status: 'ok', ms });
    r.row(host).phases = { inspect: 410, stage: 2210, hooks: 2460, switch: 40, finish: 150 };
    r.changes.push(
      `${host}: current → releases/${RELEASE} (was ${PREVIOUS}; delta upload); removed old releases 20261201-101010`,
    );
    r.switchedAt.set(host, 1_000 + HOSTS.indexOf(host) * 12);
  }
  r.output(HOSTS[0]!, { id: 'hook-2', label: 'php artisan migrate --force' }, 'Migrating: 2026_12_01_add_orders');
  r.warnings.push('`deploy@web3.example.com`: the web server user could not be detected; set `http_user`');
  return r;
}

function releases(): RunReport {
  const r = report('releases', HOSTS.slice(0, 1));
  r.release = RELEASE;
  r.previous = PREVIOUS;
  r.details.push(
    heading(`${HOSTS[0]} (/var/www/shop)`),
    table(
      ['Release', 'Created', 'Commit', 'Actor', 'Status'],
      [
        [{ strong: RELEASE }, '2026-12-06 14:15', { code: '0123456789ab' }, 'mona', '🟢 live'],
        [PREVIOUS, '2026-12-05 09:30', { code: 'fedcba987654' }, 'mona', 'previous'],
      ],
    ),
  );
  return r;
}

function unlock(): RunReport {
  const r = report('unlock', HOSTS.slice(0, 1));
  r.changes.push(`${HOSTS[0]}: removed the deploy lock of acme/shop run 99 (mona)`);
  return r;
}

function dryRun(): RunReport {
  const r = report('deploy', HOSTS.slice(0, 1));
  r.begin(HOSTS.slice(0, 1), true);
  r.details.push(
    heading('Plan (dry run: nothing was changed on any host)'),
    list([`New release: ${RELEASE}`, 'Ships: 1 file, 812 B from app']),
    heading(`${HOSTS[0]} (/var/www/shop)`, 2),
    list([`Live release: ${PREVIOUS}`, 'Lock: free', 'Steps: prepare → lock → inspect → release → upload']),
    paragraph([{ code: 'deploy-action deploy production' }, ' runs it.']),
  );
  return r;
}

function nothingToRollBack(): RunReport {
  const r = report('rollback', HOSTS.slice(0, 1));
  r.step(HOSTS[0]!, { id: 'lock', label: 'lock', status: 'ok', ms: 10 });
  r.step(HOSTS[0]!, { id: 'inspect', label: 'inspect', status: 'ok', ms: 60 });
  r.row(HOSTS[0]!).phases = { inspect: 300 };
  r.undone.set(HOSTS[0]!, true);
  r.undid.set(HOSTS[0]!, new Set(['unlocked', 'end']));
  r.failure = {
    host: undefined,
    step: 'rollback',
    message: 'no earlier complete release to roll back to on `deploy@web1.example.com`',
    tail: [],
  };
  return r;
}

function configError(): RunReport {
  const r = new RunReport('deploy', 'production', '');
  r.finishedMs = 40;
  r.failure = {
    host: 'runner',
    step: 'config',
    message:
      'deploy.yml:7:5: environments.production.keep_releases: must be a whole number of 1 or more, got "two"\ndeploy.yml:9:7: environments.production.hosts[0]: unknown key `hots` (did you mean `host`?)',
    tail: [],
  };
  return r;
}

/** The kinds built from reports, by file name (the real-run kinds are added by the e2e test). */
export const SAMPLE_REPORTS: Record<string, () => RunReport> = {
  'success-fleet-sample': fleetSuccess,
  releases,
  unlock,
  'dry-run': dryRun,
  'nothing-to-roll-back': nothingToRollBack,
  'config-error': configError,
};
