import {
  creationOrder,
  endedFailed,
  latestLives,
  parseHistory,
  releaseOfLink,
  unusable,
  type HistoryEntry,
} from '../../src/releases/history.js';
import { checkReleaseName, timestampName, uniqueReleaseName } from '../../src/releases/name.js';
import { releasesToRemove } from '../../src/releases/retention.js';
import { rollbackCandidates } from '../../src/releases/rollback.js';

describe('release names', () => {
  test('timestampName is YYYYMMDDHHMMSS in UTC', () => {
    expect(timestampName(new Date('2024-03-05T07:08:09.987Z'))).toBe('20240305070809');
    expect(timestampName(new Date('2023-12-31T23:59:59Z'))).toBe('20231231235959');
    // a local-time offset must not leak in
    expect(timestampName(new Date('2024-01-01T00:30:00+02:00'))).toBe('20231231223000');
  });

  test('uniqueReleaseName adds -2, -3… only when the name is taken', () => {
    const at = new Date('2024-03-05T07:08:09Z');
    expect(uniqueReleaseName(at, new Set())).toBe('20240305070809');
    expect(uniqueReleaseName(at, new Set(['20240305070808']))).toBe('20240305070809');
    expect(uniqueReleaseName(at, new Set(['20240305070809']))).toBe('20240305070809-2');
    expect(uniqueReleaseName(at, new Set(['20240305070809', '20240305070809-2']))).toBe('20240305070809-3');
    // a gap is reused rather than skipped past
    expect(uniqueReleaseName(at, new Set(['20240305070809', '20240305070809-3']))).toBe('20240305070809-2');
  });

  test('generated names pass checkReleaseName', () => {
    const at = new Date();
    expect(checkReleaseName(uniqueReleaseName(at, new Set([timestampName(at)])), 'release')).toMatch(/-2$/);
  });

  test.each([
    '../x',
    '..',
    'a/b',
    'a b',
    '-x',
    '.hidden',
    '',
    'x'.repeat(101),
    'a..b',
    'tab\there',
    'new\nline',
    'trailing\n',
    "it's",
    'a$b',
    'ü',
  ])('checkReleaseName rejects %j with a message naming the source', (name) => {
    expect(() => checkReleaseName(name, 'inputs.release')).toThrow(
      /^inputs\.release: "[\s\S]*" is not a valid release name/,
    );
  });

  test.each(['20240305070809', '20240305070809-2', 'v1.2.3', 'release_1', '1', 'A', 'x'.repeat(100)])(
    'checkReleaseName accepts %j',
    (name) => {
      expect(checkReleaseName(name, 'release')).toBe(name);
    },
  );
});

describe('history', () => {
  test('parseHistory keeps whole entries and skips torn, foreign and blank lines', () => {
    const text = [
      '{"event":"deploy","release":"r1","sha":"a"}',
      '',
      '{"event":"deploy","release":"r2"', // torn by a crash mid-append
      'not json at all',
      '{"event":"deploy"}', // no release
      '{"event":"deploy","release":5}',
      'null',
      '[1,2]',
      '   ',
      '{"event":"failed","release":"r3"}',
      '{"event":"deploy","release":"r4"',
    ].join('\n');
    const entries = parseHistory(text);
    expect(entries.map((e) => `${e.event}:${e.release}`)).toEqual(['deploy:r1', 'failed:r3']);
    expect(entries[0]!.sha).toBe('a');
    expect(parseHistory('')).toEqual([]);
  });

  test('creationOrder is the order of first appearance', () => {
    const h: HistoryEntry[] = [
      { event: 'deploy', release: 'b' },
      { event: 'deploy', release: 'a' },
      { event: 'rollback', release: 'b', from: 'a' },
      { event: 'deploy', release: 'c' },
    ];
    expect(creationOrder(h)).toEqual(['b', 'a', 'c']);
    expect(unusable(h).bad).toEqual(new Set(['a']));
  });

  test('releaseOfLink reads the name from a current link target', () => {
    expect(releaseOfLink('releases/20240101')).toBe('20240101');
    expect(releaseOfLink('/var/www/app/releases/7/')).toBe('7');
    expect(releaseOfLink('/srv/elsewhere')).toBeUndefined();
    expect(releaseOfLink('')).toBeUndefined();
  });
});

const deploys = (...names: string[]): HistoryEntry[] => names.map((release) => ({ event: 'deploy', release }));

describe('releasesToRemove', () => {
  test('keeps the newest `keep`, the new release (last in history) among them', () => {
    const history = deploys('r1', 'r2', 'r3', 'r4', 'r5');
    expect(releasesToRemove({ dirs: ['r1', 'r2', 'r3', 'r4', 'r5'], history, keep: 3, live: 'r5' })).toEqual([
      'r1',
      'r2',
    ]);
  });

  test('creation order comes from the history, not from how names sort', () => {
    // custom release names that sort the other way round
    const history = deploys('zeta', 'alpha', 'mid');
    expect(releasesToRemove({ dirs: ['alpha', 'mid', 'zeta'], history, keep: 2, live: 'mid' })).toEqual(['zeta']);
  });

  test('nothing is removed while there are no more than `keep`', () => {
    expect(releasesToRemove({ dirs: ['r1', 'r2'], history: deploys('r1', 'r2'), keep: 5, live: 'r2' })).toEqual([]);
    expect(releasesToRemove({ dirs: [], history: [], keep: 5, live: undefined })).toEqual([]);
  });

  test('keep = 1 keeps only the new live release', () => {
    expect(
      releasesToRemove({ dirs: ['r1', 'r2', 'r3'], history: deploys('r1', 'r2', 'r3'), keep: 1, live: 'r3' }),
    ).toEqual(['r1', 'r2']);
  });

  test('never removes the live release, also an old one after a rollback', () => {
    const history: HistoryEntry[] = [
      ...deploys('r1', 'r2', 'r3', 'r4', 'r5'),
      { event: 'rollback', release: 'r2', from: 'r5' },
    ];
    const remove = releasesToRemove({ dirs: ['r1', 'r2', 'r3', 'r4', 'r5'], history, keep: 2, live: 'r2' });
    expect(remove).not.toContain('r2');
    expect(remove).toEqual(['r1', 'r3']);
    const keep1 = releasesToRemove({ dirs: ['r1', 'r2', 'r3', 'r4', 'r5'], history, keep: 1, live: 'r2' });
    expect(keep1).not.toContain('r2');
    expect(keep1).toEqual(['r1', 'r3', 'r4']);
  });

  test('failed releases are removed even when they are among the newest, and do not use up `keep`', () => {
    const history: HistoryEntry[] = [
      ...deploys('r1', 'r2', 'r3'),
      { event: 'failed', release: 'r4' },
      ...deploys('r5'),
    ];
    const remove = releasesToRemove({ dirs: ['r1', 'r2', 'r3', 'r4', 'r5'], history, keep: 3, live: 'r5' });
    expect(remove).toEqual(['r1', 'r4']);
  });

  test('directories the history does not know count as oldest, in natural numeric order (Deployer 1..12)', () => {
    const numbered = Array.from({ length: 12 }, (_, i) => String(i + 1));
    const dirs = [...numbered].sort().concat('20240101120000'); // as `ls` lists them: 1, 10, 11, 12, 2, …
    const remove = releasesToRemove({ dirs, history: deploys('20240101120000'), keep: 3, live: '20240101120000' });
    expect(remove).toEqual(['1', '2', '3', '4', '5', '6', '7', '8', '9', '10']);
  });

  test('unknown directories are older than every known one, whatever their names', () => {
    const remove = releasesToRemove({
      dirs: ['zzz-manual', 'r1', 'r2'],
      history: deploys('r1', 'r2'),
      keep: 2,
      live: 'r2',
    });
    expect(remove).toEqual(['zzz-manual']);
  });

  test('history entries of releases whose directories are gone are ignored', () => {
    const remove = releasesToRemove({
      dirs: ['r4', 'r5'],
      history: deploys('r1', 'r2', 'r3', 'r4', 'r5'),
      keep: 1,
      live: 'r5',
    });
    expect(remove).toEqual(['r4']);
  });

  test('a live release the history calls failed is still never removed', () => {
    const history: HistoryEntry[] = [...deploys('r1'), { event: 'failed', release: 'r2' }];
    expect(releasesToRemove({ dirs: ['r1', 'r2'], history, keep: 1, live: 'r2' })).toEqual(['r1']);
  });
});

describe('a release name that comes back after a failed attempt (a stage re-run after a failed switch)', () => {
  // W live; X's first attempt switched back and failed; Y live; X staged again under the same name and switched.
  const history: HistoryEntry[] = [
    { event: 'deploy', release: 'W' },
    { event: 'revert', release: 'X', to: 'W' },
    { event: 'failed', release: 'X' },
    { event: 'deploy', release: 'Y', previous: 'W' },
    { event: 'deploy', release: 'X', previous: 'Y', staged: true },
  ];
  test('is a new release: ordered by its new life, neither failed nor bad', () => {
    expect(creationOrder(history)).toEqual(['W', 'Y', 'X']);
    expect(unusable(history)).toEqual({ failed: new Set(), bad: new Set() });
    expect(latestLives(history).map((e) => e.event)).toEqual(['deploy', 'deploy', 'deploy']);
  });
  test('a rollback from it goes to Y (live before it); one from a later Z goes back to it', () => {
    const v = { host: 'h', dirs: ['W', 'X', 'Y'], partial: new Set<string>() };
    expect(rollbackCandidates({ ...v, history, live: 'X' })).toEqual(['Y', 'W']);
    const later = [...history, { event: 'deploy', release: 'Z', previous: 'X' }];
    expect(rollbackCandidates({ ...v, dirs: [...v.dirs, 'Z'], history: later, live: 'Z' })).toEqual(['X', 'Y', 'W']);
  });
  test('a name whose last line is failed stays failed (its last attempt counts), and is free again', () => {
    const gone = [...history.slice(0, 4), { event: 'revert', release: 'X' }, { event: 'failed', release: 'X' }];
    expect(unusable(gone).failed).toEqual(new Set(['X']));
    expect(endedFailed(gone, 'X')).toBe(true);
    expect(endedFailed(history, 'X')).toBe(false);
    expect(endedFailed(history, 'nope')).toBe(false);
  });
});
