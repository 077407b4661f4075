import { lock } from '../../src/remote/steps/lock.js';
import { keptUntil, stageRerunLock, STAGE_KEPT } from '../../src/remote/steps/stage-rerun.js';

describe('a stage re-run lock step', () => {
  const plain = lock('"owner":"abc"');

  test('without a run id (a CLI run) it is the plain lock step: no run to be the same as', () => {
    expect(stageRerunLock(plain, { name: 'run-1', repository: '', runId: '', ttlSeconds: 7200 })).toBe(plain);
  });

  test('with a run id: the same step id (a held lock still fails it with LOCK_HELD), its values quoted, then the lock', () => {
    const s = stageRerunLock(plain, { name: "x'y", repository: 'acme/shop', runId: '42', ttlSeconds: 90.7 });
    expect(s.id).toBe('lock');
    expect(s.body).toContain("rname='x'\\''y'");
    expect(s.body).toContain('runid=42');
    expect(s.body).toContain('ttl=90');
    expect(s.body.endsWith(plain.body)).toBe(true);
  });

  test('keptUntil reads the new expiry, and nothing else', () => {
    const at = (v: string) => ({ data: new Map([[STAGE_KEPT, [v]]]) });
    expect(keptUntil(at('2026-12-06T23:00:00Z'))).toBe('2026-12-06T23:00:00Z');
    expect(keptUntil(at('soon; rm -rf /'))).toBeUndefined();
    expect(keptUntil(undefined)).toBeUndefined();
  });
});
