import { failure, success } from '../../src/cli/outcome.js';
import { plain, ticks } from '../../src/report/document.js';
import { FleetFailure, HostFailure } from '../../src/fleet/failures.js';
import { md } from '../../src/report/markdown.js';
import { RunReport } from '../../src/report/report.js';
import { verdict } from '../../src/report/summary-hosts.js';
import { renderSummary } from '../../src/report/summary.js';
import { count, size } from '../../src/units.js';

describe('sizes and counts as a person reads them', () => {
  test('B, KiB, MiB with sensible precision, never 0.00 MiB', () => {
    expect([0, 812, 1024, 1536, 10 * 1024 + 300, 1048576, 25.4 * 1048576].map(size)).toEqual([
      '0 B',
      '812 B',
      '1 KiB',
      '1.5 KiB',
      '10 KiB',
      '1 MiB',
      '25 MiB',
    ]);
  });

  test('singular for one', () => {
    expect([count(1, 'file'), count(3, 'file'), count(1, 'directory', 'directories'), count(0, 'hook')]).toEqual([
      '1 file',
      '3 files',
      '1 directory',
      '0 hooks',
    ]);
    expect([verdict('fail after 1 attempts'), verdict('ok attempt 2'), verdict('HTTP 502, expected 200')]).toEqual([
      'failed after 1 attempt',
      'passed (attempt 2)',
      'HTTP 502, expected 200',
    ]);
  });
});

describe('`backticks` in messages', () => {
  test('become code spans for Markdown and bare text for a terminal; an unpaired one stays text', () => {
    expect(ticks('add it to the `known-hosts` input')).toEqual(['add it to the ', { code: 'known-hosts' }, ' input']);
    expect(plain(ticks('run `releases`; a lone ` stays'))).toBe('run releases; a lone ` stays');
  });

  test('an e-mail-like host is never auto-linked', () => {
    expect(md('deploy@web1.example.com')).toBe('deploy\\@web1.example.com');
  });
});

describe('the CLI outcome', () => {
  test('a dry run says that nothing was changed', () => {
    const r = new RunReport('deploy', 'production', 'shop');
    r.begin(['web1'], true);
    expect(success(r).text).toContain('✓ Dry run of deploy of shop to production: nothing was changed');
  });

  test('a failure no host caused names no host, and says what happened on each host', () => {
    const r = new RunReport('rollback', 'production', 'shop');
    r.begin(['web1'], false);
    r.step('web1', { id: 'lock', label: 'lock', status: 'ok', ms: 3 });
    r.undone.set('web1', true);
    r.undid.set('web1', new Set(['unlocked', 'end']));
    const out = failure(r, new FleetFailure('rollback', 'no release to roll back to on `web1`')).text;
    expect(out).toContain('error: no release to roll back to on web1');
    expect(out).not.toContain('fleet');
    expect(out).not.toContain('`');
    expect(out).toContain('What happened on each host:\n  - web1: took the deploy lock; then released the lock.');
  });

  test('a host that did not confirm its clean-up is not said to be clean', () => {
    const r = new RunReport('deploy', 'production', 'shop');
    r.begin(['web1'], false);
    r.release = 'r2';
    for (const id of ['lock', 'release']) r.step('web1', { id, label: id, status: 'ok', ms: 3 });
    r.undone.set('web1', false);
    const out = failure(r, new HostFailure('web1', 'upload', 'the connection was lost')).text;
    expect(out).toContain('web1: took the deploy lock, made release r2, failed in step upload; it was told to remove');
    expect(out).toContain('but did not confirm it');
    expect(out).not.toContain('as it was before this run');
  });
});

describe('what happened on each host', () => {
  test('names (a hook with backticks, a host) are code spans whatever they hold', () => {
    const r = new RunReport('deploy', 'production', 'shop');
    r.begin(['web`1'], false);
    for (const id of ['lock', 'release']) r.step('web`1', { id, label: id, status: 'ok', ms: 1 });
    r.release = 'r2';
    r.undone.set('web`1', true);
    r.undid.set('web`1', new Set(['release-removed', 'unlocked', 'end']));
    r.failure = { host: 'web`1', step: 'echo `date` | tee *x*', message: 'failed with exit code 1', tail: [] };
    const line = renderSummary(r)
      .split('\n')
      .find((l) => l.startsWith('- ``'));
    expect(line).toBe(
      '- `` web`1 ``: took the deploy lock, made release ` r2 `, failed in step `` echo `date` | tee *x* ``; then removed ` r2 ` and the ` shared/ ` entries this run created and released the lock. ` current ` is as it was before this run',
    );
  });
});
