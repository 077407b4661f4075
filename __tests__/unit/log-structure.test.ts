/**
 * The pieces of the log's structure (issue 17): hook names and labels, the phase sections and their lines, the
 * result line, and the Actions log's groups never nesting.
 */
import { jest } from '@jest/globals';
import { hookLabel, type HostConfig } from '../../src/config/index.js';
import { actionsLog } from '../../src/action/actions-log.js';
import { Cancelled } from '../../src/errors.js';
import { HostFailure } from '../../src/fleet/failures.js';
import type { Log } from '../../src/log.js';
import type { StepRecord } from '../../src/remote/session.js';
import { stepTitle } from '../../src/remote/steps/hooks.js';
import { PhaseLines } from '../../src/report/phase-lines.js';
import { stepLine } from '../../src/report/progress.js';
import { RunReport } from '../../src/report/report.js';
import { resultLine } from '../../src/report/result-line.js';
import { env, load, problem } from '../config/helpers.js';

describe('hook names', () => {
  test('`name:` is read in build, deploy and activate mappings and is the label', () => {
    const c = load(
      env(
        'build: [{ name: assets, run: npm run build }]',
        'deploy: [{ name: migrate, run: php artisan migrate, once: true }]',
        'activate: [{ name: " reload ", run: sudo systemctl reload php-fpm }]',
      ),
    );
    expect([c.build[0]!.name, c.deploy[0]!.name, c.activate[0]!.name]).toEqual(['assets', 'migrate', 'reload']);
    expect(c.deploy[0]!.once).toBe(true);
    expect(hookLabel(c.deploy[0]!)).toBe('migrate');
  });

  test.each([
    ['""', 'must not be empty'],
    ['"a\\nb"', 'must be one line without control characters'],
    [`"${'x'.repeat(61)}"`, 'must be at most 60 characters (got 61)'],
    ['42', 'must be a string (got 42)'],
  ])('name: %s is refused', (value, message) => {
    expect(problem(env(`deploy: [{ name: ${value}, run: "true" }]`))).toMatchObject({
      path: 'environments.production.deploy[0].name',
      message,
    });
  });

  test('without a name: the first line of the command, shortened, never the whole block', () => {
    expect(hookLabel({ run: 'php artisan migrate --force' })).toBe('php artisan migrate --force');
    expect(hookLabel({ run: '\n  set -x\n  php artisan migrate\n' })).toBe('set -x …');
    const long = `echo ${'a'.repeat(100)}`;
    expect([...hookLabel({ run: long })]).toHaveLength(60);
    expect(hookLabel({ run: long }).endsWith('…')).toBe(true);
  });

  test('a failed step says the hook and the cause, in that order', () => {
    const record: StepRecord = { id: 'hook-2', label: 'migrate', status: 'failed', rc: 3, ms: 2100, tail: [] };
    expect(stepLine(record)).toBe('✗ hook "migrate" failed: exit code 3 (2.1 s)');
    expect(stepTitle({ id: 'activate-1', label: 'reload' })).toBe('activate hook "reload"');
    expect(stepTitle({ id: 'symlink', label: 'symlink' })).toBe('symlink');
  });
});

/** A Log that records what it is told, groups as `[group]`/`[end]`. */
function recordingLog(): { log: Log; lines: string[] } {
  const lines: string[] = [];
  const log: Log = {
    info: (m) => lines.push(m),
    output: (m) => lines.push(m),
    warning: (m) => lines.push(`warning: ${m}`),
    error: (m) => lines.push(`error: ${m}`),
    debug: () => undefined,
    group: async (title, fn) => {
      lines.push(`[group] ${title}`);
      return fn().finally(() => lines.push('[end]'));
    },
    startGroup: (title) => lines.push(`[group] ${title}`),
    endGroup: () => lines.push('[end]'),
  };
  return { log, lines };
}

const host = (name: string) => ({ name }) as HostConfig;
const [web1, web2, web3] = [host('web1'), host('web2'), host('web3')];

describe('phase sections', () => {
  const clock = () => {
    let t = 0;
    return {
      now: () => t,
      advance: (ms: number) => {
        t += ms;
      },
    };
  };

  test('connecting opens the first phase; each phase ends with its line outside its group', () => {
    const { log, lines } = recordingLog();
    const c = clock();
    const p = new PhaseLines(log, 3, undefined, c.now);
    p.start('connect', [web1, web2, web3]);
    c.advance(300);
    p.end('connect');
    p.start('inspect', [web1, web2, web3]);
    c.advance(200);
    p.end('inspect');
    p.start('switch', [web1, web2, web3]);
    c.advance(1200);
    p.end('switch');
    expect(lines).toEqual([
      '[group] connect and inspect',
      '[end]',
      'connect and inspect: 3/3 hosts, 500 ms',
      '[group] switch',
      '[end]',
      'switch: 3/3 hosts, 1.2 s',
    ]);
  });

  test('a failure: the line names the host, then the error, both outside the group', () => {
    const { log, lines } = recordingLog();
    const p = new PhaseLines(log, 3, undefined, () => 0);
    p.start(
      'stage',
      [web1, web2, web3],
      [
        { name: 'stage', from: 'release' },
        { name: 'hooks', from: 'hook-1' },
      ],
    );
    p.step(web2, { id: 'hook-1', label: 'migrate', status: 'failed', rc: 3, ms: 5, tail: [] });
    p.end('stage', new HostFailure('web2', 'hook "migrate"', 'exited with code 3'));
    expect(lines).toEqual([
      '[group] stage and hooks',
      '[end]',
      'stage and hooks: failed on web2 (2/3 hosts ok), 0 ms',
      '✗ web2: hook "migrate": exited with code 3',
    ]);
  });

  test('one host running a chained phase gets a section per part, as each part starts', () => {
    const { log, lines } = recordingLog();
    const p = new PhaseLines(log, 1, undefined, () => 0);
    const parts = [
      { name: 'stage', from: 'release' },
      { name: 'hooks', from: 'hook-1' },
      { name: 'switch', from: 'symlink' },
      { name: 'finish', from: 'history' },
    ];
    p.start('ship', [web1], parts);
    for (const id of ['release', 'upload', 'hook-1', 'hook-2', 'symlink', 'history', 'unlock'])
      p.step(web1, { id, label: id, status: 'running', ms: 0, tail: [] });
    p.end('ship');
    expect(lines.filter((l) => !l.startsWith('['))).toEqual([
      'stage: 1/1 host, 0 ms',
      'hooks: 1/1 host, 0 ms',
      'switch: 1/1 host, 0 ms',
      'finish: 1/1 host, 0 ms',
    ]);
    expect(lines.filter((l) => l.startsWith('[group]'))).toHaveLength(4);
  });

  test('a rolling batch is named by its hosts; a failed connection is a line without a group', () => {
    const { log, lines } = recordingLog();
    const p = new PhaseLines(log, 3, undefined, () => 0);
    p.start('switch', [web1]);
    p.end('switch');
    p.start('health', [web2, web3]);
    p.end('health', new Cancelled());
    p.start('connect', [web1, web2, web3]);
    p.end('connect', new HostFailure('web3', 'connect', 'connection refused'));
    expect(lines).toEqual([
      '[group] switch (web1)',
      '[end]',
      'switch: 1/1 host, 0 ms',
      '[group] health check (web2, web3)',
      '[end]',
      'health check: cancelled (2/2 hosts done), 0 ms',
      'connect: failed on web3 (2/3 hosts ok), 0 ms',
      '✗ web3: connect: connection refused',
    ]);
  });
});

test('phase sections: a phase stopped by the cancellation of the run is cancelled, not failed', () => {
  const { log, lines } = recordingLog();
  const abort = new AbortController();
  const p = new PhaseLines(log, 2, abort.signal, () => 0);
  p.start('stage', [web1, web2]);
  p.step(web1, { id: 'upload', label: 'upload', status: 'ok', ms: 0, tail: [] });
  abort.abort();
  p.step(web2, { id: 'upload', label: 'upload', status: 'failed', rc: 143, ms: 0, tail: [] });
  p.end('stage', new HostFailure('web2', 'upload', 'exited with code 143'));
  expect(lines).toEqual(['[group] stage', '[end]', 'stage: cancelled (1/2 hosts done), 0 ms']);
});

describe('the result line', () => {
  const report = (command = 'deploy') => {
    const r = new RunReport(command, 'production', 'shop');
    r.finishedMs = 14_200;
    return r;
  };

  test('success: command, application, environment, release, hosts, time', () => {
    const r = report();
    r.release = '20261206101500';
    expect(resultLine(r, 3)).toBe('✓ Deploy of shop to production: release 20261206101500, 3 hosts, 14.2 s');
    expect(resultLine(r, 1, true)).toBe('✓ Dry run: Deploy of shop to production: nothing changed, 1 host, 14.2 s');
    expect(resultLine(report('unlock'), 2)).toBe('✓ Unlock of shop on production: 2 hosts, 14.2 s');
  });

  test('failure: where and in which step', () => {
    const r = report();
    r.failure = { host: 'web2', step: 'hook "migrate"', message: 'exited with code 3', tail: [] };
    expect(resultLine(r, 3)).toBe('✗ Deploy of shop to production failed on web2 in step hook "migrate" (14.2 s)');
    r.failure = { host: 'runner', step: 'build', message: 'x', tail: [] };
    expect(resultLine(r, 3)).toBe('✗ Deploy of shop to production failed in step build (14.2 s)');
    r.failure = { host: 'runner', step: 'cancelled', message: 'x', tail: [] };
    expect(resultLine(r, 3)).toBe('✗ Deploy of shop to production was cancelled (14.2 s)');
  });
});

describe('the Actions log', () => {
  test('a group never opens inside another', async () => {
    const written: string[] = [];
    const spy = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: unknown) => {
      written.push(String(chunk));
      return true;
    });
    try {
      actionsLog.startGroup('stage');
      actionsLog.startGroup('switch');
      await actionsLog.group('build 1/2', async () => actionsLog.info('inside'));
      actionsLog.endGroup();
      actionsLog.endGroup();
      await actionsLog.group('build', async () => undefined);
    } finally {
      spy.mockRestore();
    }
    expect(written.join('').split('\n').filter(Boolean)).toEqual([
      '::group::stage',
      '::endgroup::',
      '::group::switch',
      'build 1/2',
      'inside',
      '::endgroup::',
      '::group::build',
      '::endgroup::',
    ]);
  });
});
