/**
 * Each step that reports a value owns its key: the reader's constant is the key the step's shell (or the prelude
 * function it calls) writes with da_data / da_blob (or holds with da_data_hold / da_blob_hold).
 */
import { renderPrelude } from '../../src/remote/prelude.js';
import { delta, DELTA_BASE, verify, VERIFY } from '../../src/remote/steps/delta.js';
import { commandHealthcheck, HEALTH } from '../../src/remote/steps/healthcheck.js';
import { doctor, DOCTOR_KEYS } from '../../src/remote/steps/doctor.js';
import { inspect, INSPECT_KEYS } from '../../src/remote/steps/inspect.js';
import { lock, LOCK_KEYS } from '../../src/remote/steps/lock.js';

const prelude = renderPrelude({
  markerToken: 't',
  owner: 'o',
  deployPath: '/srv/app',
  idleSeconds: 120,
  runJson: '"sha":"x"',
});
const writes = (text: string, key: string) => new RegExp(`da_(data|blob)(_hold)? ${key}\\b`).test(text);

describe('data keys', () => {
  test('inspect writes every key readInspect reads (some through prelude functions)', () => {
    const body = inspect({ detectHttpUser: true, offerBaseFrom: 5 }).body;
    for (const key of INSPECT_KEYS) expect([key, writes(body, key) || writes(prelude, key)]).toEqual([key, true]);
  });

  test('doctor writes every key readDoctor reads', () => {
    const body = doctor({ acl: true, sudo: true, httpUser: 'www-data' }).body;
    for (const key of DOCTOR_KEYS) expect([key, writes(body, key)]).toEqual([key, true]);
    expect(body).toContain('da_lock_report');
  });

  test('the lock keys are written by the prelude report the lock step calls', () => {
    expect(lock('"a":1').body).toContain('da_lock_report');
    for (const key of LOCK_KEYS) expect([key, writes(prelude, key)]).toEqual([key, true]);
  });

  test('health, delta base and verify', () => {
    const hc = commandHealthcheck({ command: 'true', env: {}, timeoutMs: 1000, retries: 1, intervalMs: 10 }).body;
    expect(writes(hc, HEALTH)).toBe(true);
    const d = delta({ skip: [], removeB64: '', revision: 'r', files: { sent: 1, unchanged: 0 }, base: 'recycle' }).body;
    expect(writes(d, DELTA_BASE)).toBe(true);
    expect(writes(verify({ skip: [] }).body, VERIFY)).toBe(true);
  });
});
